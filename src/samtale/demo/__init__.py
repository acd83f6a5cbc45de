"""The demo: the demo tenant and its logins, its shop data and content, its settings for talking
to a person and the widget, and made-up traffic for the dashboard."""
