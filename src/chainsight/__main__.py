from chainsight.entry import main

main()
