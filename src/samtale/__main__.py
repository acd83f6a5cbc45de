from samtale.cli.main import main

main()
