"""Desktop application (PySide6). Adapts the Qt-free core; start it with ``minutes-app gui``.

Importing this package does nothing; ``app.main()`` starts the application.
"""
