"""Renderings of results as text. Renderers never re-parse headers and never look anything up.

- :mod:`headertrace.render.terminal`: a trace (``headertrace trace``)
- :mod:`headertrace.render.lookup`: attribution results (``headertrace lookup`` and
  ``headertrace blocklist``)
- :mod:`headertrace.render.probe`: the relay probe's report (``headertrace probe``)
- :mod:`headertrace.render.html`: a trace as one self-contained HTML page, with the picture
  of the path laid out by :mod:`headertrace.render.path` (``headertrace report --html``,
  ``Trace.to_html()``)
- :mod:`headertrace.render.ticket`: ticket text, Markdown and plain
- :mod:`headertrace.render.abuse`: a draft RFC 5965 abuse report to the origin network
- :mod:`headertrace.render.report`: what those reports say, as data, built from the trace

JSON is each record's ``to_dict()`` / ``to_json()``.
"""
