"""Stand-ins for the two external systems, served over real HTTP.

* ``emulators.consonance`` - Consonance's GraphQL API (read and write) and REST v4 read view.
* ``emulators.bytenite`` - ByteNite's documented jobs API plus this project's video-asset extension.

Both draw from :mod:`emulators.catalog`: the same seed and size give the same works, ISBN-13s and
video history, and the world at a date T is a function of (seed, T). Writes are recorded on top.
"""
