from racelab.cli import main

raise SystemExit(main())
