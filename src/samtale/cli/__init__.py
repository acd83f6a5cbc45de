"""The `samtale` command, one module per command group."""
