from samtale.cli import main

main()
