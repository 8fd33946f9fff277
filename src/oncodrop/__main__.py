from oncodrop.cli import main

main()
