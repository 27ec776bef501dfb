from attio_mcp.cli import main

raise SystemExit(main())
