from infinity.cli import main

main()
