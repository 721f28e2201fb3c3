"""voipdown: how many days Moroccan operators have blocked VoIP calls.

Layers, each using only those above it: ``timezones`` and ``counting`` (time), ``text``
(translations), ``layout`` (bidi, fonts, shaping), ``render`` (SVG and PNG), ``web`` (routes,
headers, caching) and ``cli`` (the command line). Only ``web`` and ``cli`` know of Flask and
gunicorn.
"""
