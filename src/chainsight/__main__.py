from chainsight.cli import main

main()
