"""Batch rendering of the deliverables: ``orleans-gov rapports`` (called by ``make reports``).

The deliverable set (DESIGN.md §4): every analysis notebook ``notebooks/0*.ipynb`` plus
``notebooks/10_fiche_commune.ipynb`` once per commune (22) and once for the agglomeration (parameter ``entite``).
Each notebook is executed with papermill **in-process** (no shell-out), in parallel in a pool of worker processes,
then exported to a self-contained French HTML page (no code, no script, no external resource: images are embedded
as ``data:`` URIs and the house CSS is inlined). Output, in ``reports/<AAAAMMJJ-HHMMSS>/`` (``reports/latest`` points
to the newest run):

* ``<livrable>.ipynb`` (executed notebook, partial when it failed) and ``<livrable>.html`` (when it succeeded);
* ``<livrable>.xlsx``: the Excel annex, every table of the deliverable (one sheet per table), when it has tables;
* ``index.html``: a reading guide of the deliverables (what each answers, in which order to read them, links to
  HTML, PDF and annex), then the technical log (status, rendered or reused, durations, parameters, failures);
* ``manifest.json``: parameters of each notebook, the fingerprint of each deliverable's inputs, sha256 of every
  data file and output file, package versions, durations, git commit;
* with ``--pdf``: ``<livrable>.pdf`` printed by headless Chromium, with a table of contents and page numbers.

Incremental: a deliverable whose inputs (notebook, parameters, package code, versions, config, the data it reads —
see :mod:`.entrees`) are those of a previous run is copied from that run instead of being executed; ``--tout``
renders everything. Deterministic: the same inputs on the same run date give byte-identical HTML, executed
notebooks and annexes (cell ids, no timestamps in the deliverables).

Speed: the per-notebook floor of the naive sequence (``papermill`` CLI then ``jupyter nbconvert`` CLI) is three
interpreter starts and the imports of pandas/matplotlib/geopandas in the kernel. Here the renderer's own imports
and the HTML exporter are paid once per worker, and kernels are forked from a warm fork server that has already
imported the scientific stack: each notebook still gets a fresh kernel process with an empty namespace.
``--noyaux-standard`` falls back to ordinary kernels.

Isolation: a failing notebook (corrupt file, exception in a cell, per-notebook timeout, dead kernel) is reported
with its file, cell, exception name and message and the path of its partial executed notebook; the others
complete; the exit status is 1 when any deliverable failed (docs/fiabilite/rendu.md lists every case).

Modules, in the order of a run:

- :mod:`.taches` — the deliverable set (:func:`lister_taches`, :class:`Tache`) and the outcome (:class:`Resultat`);
- :mod:`.carnets` — notebooks examined (why one cannot be rendered), fingerprinted, made deterministic;
- :mod:`.entrees` — the inputs of each deliverable and their fingerprints (what decides a re-rendering);
- :mod:`.reutilisation` — the previous runs, reuse of unchanged deliverables (verified copy);
- :mod:`.execution` — papermill in the worker processes, timeouts, failure isolation;
- :mod:`.noyau_chaud` (+ :mod:`.prechargement`) — kernels forked from a warm fork server;
- :mod:`.html` — self-contained HTML page of an executed notebook, sample-banner detection;
- :mod:`.annexes` — the Excel annex (tables emitted under ``application/vnd.orleans-gov.tableau+json``);
- :mod:`.pdf` — headless Chromium, table of contents and page numbers;
- :mod:`.index` (+ :mod:`.guide`), :mod:`.manifeste` — ``index.html`` and ``manifest.json``;
- :mod:`.orchestration` — one run (:func:`rendre`), ``reports/latest``, the summary (:func:`resume`).
"""
from __future__ import annotations

from orleans_gov.rendu.execution import executer_tache, executer_taches
from orleans_gov.rendu.html import (CLIENT, MISSION, contient_exemple, css_maison, date_francaise, exporter_html,
                                    exporteur_html, rendre_autonome, titre_notebook)
from orleans_gov.rendu.index import ecrire_index
from orleans_gov.rendu.entrees import empreintes, versions_paquets
from orleans_gov.rendu.manifeste import commit_git, ecrire_manifeste, millesime_donnees
from orleans_gov.rendu.orchestration import rendre, resume
from orleans_gov.rendu.pdf import MESSAGE_CHROMIUM, chromium_disponible, imprimer_pdf
from orleans_gov.rendu.taches import NOTEBOOK_FICHE, ErreurSortie, Resultat, Tache, lister_taches

__all__ = [
    "CLIENT", "ErreurSortie", "MESSAGE_CHROMIUM", "MISSION", "NOTEBOOK_FICHE", "Resultat", "Tache", "chromium_disponible",
    "commit_git", "contient_exemple", "css_maison", "date_francaise", "ecrire_index", "ecrire_manifeste", "empreintes",
    "executer_tache", "executer_taches", "exporter_html", "exporteur_html", "imprimer_pdf", "lister_taches",
    "millesime_donnees", "rendre", "rendre_autonome", "resume", "titre_notebook", "versions_paquets",
]
