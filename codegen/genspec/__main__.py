from genspec.cli import main

raise SystemExit(main())
