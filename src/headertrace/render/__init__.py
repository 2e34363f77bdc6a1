"""Renderings of results as text. Renderers never re-parse headers and never look anything up.

- :mod:`headertrace.render.terminal`: a trace (``headertrace trace``)
- :mod:`headertrace.render.lookup`: attribution results (``headertrace lookup`` and
  ``headertrace blocklist``)
- :mod:`headertrace.render.probe`: the relay probe's report (``headertrace probe``)

JSON is each record's ``to_dict()`` / ``to_json()``.
"""
