"""Foundation: types, errors, jobs, files, settings, hardware, offline, remote, worker.

Imports nothing else of the app.
"""
