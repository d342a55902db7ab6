"""``make report``: every scenario's strategies under every topology, measured, in one folder.

:mod:`~racelab.report.runner` runs the matrix (with :mod:`~racelab.report.lab`, the stack it
switches and puts back, and :mod:`~racelab.report.folders`, the folder it writes);
:mod:`~racelab.report.results` is ``results.json`` as dataclasses; :mod:`~racelab.report.model`
derives what the report says from them; :mod:`~racelab.report.html` (Jinja2 templates in
``templates/``) and :mod:`~racelab.report.markdown` render it, results in, text out, so a recorded
``results.json`` renders the same page anywhere; :mod:`~racelab.report.check` judges a folder's
saved histories again.
"""
