"""Batch rendering of the deliverables: ``orleans-gov rapports`` (called by ``make reports``).

The deliverable set (DESIGN.md §4): every analysis notebook ``notebooks/0*.ipynb`` plus
``notebooks/10_fiche_commune.ipynb`` once per commune (22) and once for the agglomeration (parameter ``entite``).
Each notebook is executed with papermill **in-process** (no shell-out), in parallel in a pool of worker processes,
then exported to a self-contained French HTML page (no code, no script, no external resource: images are embedded
as ``data:`` URIs and the house CSS is inlined). Output, in ``reports/<AAAAMMJJ-HHMMSS>/`` (``reports/latest`` points
to the newest run):

* ``<livrable>.ipynb`` (executed notebook, partial when it failed) and ``<livrable>.html`` (when it succeeded);
* ``index.html``: every deliverable with its status (ok / échec), duration and links, and for a failure the cell,
  the exception and its message;
* ``manifest.json``: parameters of each notebook, sha256 of every input file under the data folder's ``raw/`` and
  ``processed/``, package versions, durations, git commit;
* with ``--pdf``: ``<livrable>.pdf`` printed by headless Chromium when it is installed.

Speed: the per-notebook floor of the naive sequence (``papermill`` CLI then ``jupyter nbconvert`` CLI) is three
interpreter starts and the imports of pandas/matplotlib/geopandas in the kernel. Here the renderer's own imports
and the HTML exporter are paid once per worker, and kernels are forked from a warm fork server that has already
imported the scientific stack: each notebook still gets a fresh kernel process with an empty namespace.
``--noyaux-standard`` falls back to ordinary kernels.

Isolation: a failing notebook (exception in a cell, per-notebook timeout, dead kernel) is reported with its cell,
exception name and message and the path of its partial executed notebook; the others complete; the exit status
is 1 when any deliverable failed.

Modules, in the order of a run:

- :mod:`.taches` — the deliverable set (:func:`lister_taches`, :class:`Tache`) and the outcome (:class:`Resultat`);
- :mod:`.execution` — papermill in the worker processes, timeouts, failure isolation;
- :mod:`.noyau_chaud` (+ :mod:`.prechargement`) — kernels forked from a warm fork server;
- :mod:`.html` — self-contained HTML page of an executed notebook, sample-banner detection;
- :mod:`.pdf` — headless Chromium;
- :mod:`.index`, :mod:`.manifeste` — ``index.html`` and ``manifest.json``;
- :mod:`.orchestration` — one run (:func:`rendre`), ``reports/latest``, the summary (:func:`resume`).
"""
from __future__ import annotations

from orleans_gov.rendu.execution import executer_tache, executer_taches
from orleans_gov.rendu.html import (CLIENT, MISSION, contient_exemple, css_maison, date_francaise, exporter_html,
                                    exporteur_html, rendre_autonome, titre_notebook)
from orleans_gov.rendu.index import ecrire_index
from orleans_gov.rendu.manifeste import (commit_git, ecrire_manifeste, empreintes, millesime_donnees,
                                         versions_paquets)
from orleans_gov.rendu.orchestration import rendre, resume
from orleans_gov.rendu.pdf import MESSAGE_CHROMIUM, chromium_disponible, imprimer_pdf
from orleans_gov.rendu.taches import NOTEBOOK_FICHE, Resultat, Tache, lister_taches

__all__ = [
    "CLIENT", "MESSAGE_CHROMIUM", "MISSION", "NOTEBOOK_FICHE", "Resultat", "Tache", "chromium_disponible",
    "commit_git", "contient_exemple", "css_maison", "date_francaise", "ecrire_index", "ecrire_manifeste", "empreintes",
    "executer_tache", "executer_taches", "exporter_html", "exporteur_html", "imprimer_pdf", "lister_taches",
    "millesime_donnees", "rendre", "rendre_autonome", "resume", "titre_notebook", "versions_paquets",
]
