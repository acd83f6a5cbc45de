"""Staff accounts: log-in with lockout, sessions that expire, roles."""
