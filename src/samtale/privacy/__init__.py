"""Privacy: personal-data recognizers and redaction, retention purge, transcript export, audit."""
