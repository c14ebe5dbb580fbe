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
imported the scientific stack (see :mod:`orleans_gov.rendu.noyau_chaud`): each notebook still gets a fresh kernel
process with an empty namespace. ``--noyaux-standard`` falls back to ordinary kernels.

Isolation: a failing notebook (exception in a cell, per-notebook timeout, dead kernel) is reported with its cell,
exception name and message and the path of its partial executed notebook; the others complete; the exit status
is 1 when any deliverable failed.
"""
from __future__ import annotations

import concurrent.futures as cf
import copy
import dataclasses
import datetime as dt
import fnmatch
import hashlib
import html as _html
import importlib.metadata
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
import unicodedata
from pathlib import Path
from typing import Any

from orleans_gov.base.catalogue import RACINE_PROJET, Catalogue
from orleans_gov.base.territoire import CODES_INSEE, SIREN_AGGLO, nom_entite, verifier_entite

MISSION = "Gouvernance du bloc communal — agglomération d'Orléans"
CLIENT = "Communauté d'agglomération Orléans Val de Loire et ses 22 communes membres"
TEXTE_EXEMPLE = "Données d'exemple — ne pas diffuser"
MARQUEURS_EXEMPLE = ("og-bandeau-exemple", TEXTE_EXEMPLE, "Données d&#x27;exemple — ne pas diffuser",
                     "Données d&#39;exemple — ne pas diffuser")
NOTEBOOK_FICHE = "10_fiche_commune"
DOSSIER_GABARIT = Path(__file__).resolve().parent / "templates"
NOM_GABARIT = "orleans_gov"
FICHIER_CSS = DOSSIER_GABARIT / NOM_GABARIT / "rapport.css"
MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre"]
PAQUETS_MANIFESTE = ("orleans_gov", "pandas", "numpy", "pyarrow", "matplotlib", "seaborn", "geopandas", "shapely",
                     "papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "jupyter_client", "pyyaml")
ETIQUETTES_MASQUEES = {"masquer", "remove_cell", "remove-cell", "hide"}


# ------------------------------------------------------------------------------------------------
# What to render
# ------------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Tache:
    """One deliverable: a notebook and its parameters."""

    nom: str                      # output stem, e.g. "10_fiche_commune_45234_orleans"
    notebook: str                 # absolute path of the source notebook
    parametres: dict[str, Any]
    entite: str | None = None     # entity shown on the cover (fiches)
    libelle_entite: str | None = None


@dataclasses.dataclass
class Resultat:
    """Outcome of one deliverable (returned by the worker, serialised in the manifest)."""

    nom: str
    notebook: str
    parametres: dict[str, Any]
    statut: str                          # "ok" | "échec"
    duree_s: float
    titre: str | None = None
    libelle_entite: str | None = None
    ipynb: str | None = None
    html: str | None = None
    pdf: str | None = None
    exemple: bool = False
    avertissements: int = 0
    erreur_type: str | None = None
    erreur_message: str | None = None
    erreur_cellule: int | None = None
    erreur_detail: str | None = None
    duree_execution_s: float | None = None
    duree_export_s: float | None = None


def _slug(texte: str) -> str:
    t = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


def _parametres_declares(notebook: Path) -> set[str]:
    """Names assigned in the cell tagged ``parameters`` (read statically, the notebook is not executed)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    noms: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            for ligne in cell.source.splitlines():
                m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]*)?=", ligne)
                if m:
                    noms.add(m.group(1))
    return noms


def _selection(notebooks: list[Path], motifs: list[str] | None) -> list[Path]:
    if not motifs:
        return notebooks
    choisis = []
    for nb in notebooks:
        for motif in motifs:
            m = Path(motif).stem if motif.endswith(".ipynb") else motif
            if nb.stem == m or fnmatch.fnmatch(nb.stem, m) or fnmatch.fnmatch(nb.name, motif) or \
                    Path(motif).resolve() == nb.resolve():
                choisis.append(nb)
                break
    return choisis


def lister_taches(dossier_notebooks: str | os.PathLike, notebooks: list[str] | None = None,
                  entites: list[str] | None = None, dossier_donnees: str | os.PathLike | None = None,
                  annexes: list[str | os.PathLike] | None = None) -> list[Tache]:
    """The deliverable set: analysis notebooks ``0*.ipynb`` then the fiche once per entity.

    ``notebooks``: names, stems or glob patterns to restrict the set (``["01*", "10_fiche_commune"]``);
    ``entites``: INSEE codes / SIREN for the fiches (default: the 22 communes then the agglomeration);
    ``dossier_donnees`` is passed as parameter ``dossier_donnees`` to the notebooks that declare it;
    ``annexes``: extra notebook paths rendered once with their defaults (used by tests and benchmarks).
    """
    dossier = Path(dossier_notebooks).resolve()
    analyses = sorted(p for p in dossier.glob("0*.ipynb") if not p.name.startswith("."))
    fiche = dossier / f"{NOTEBOOK_FICHE}.ipynb"
    candidats = analyses + ([fiche] if fiche.exists() else []) + [Path(a).resolve() for a in (annexes or [])]
    if notebooks:
        inconnus = [m for m in notebooks if not _selection(candidats, [m])]
        if inconnus:
            raise ValueError(f"carnet(s) introuvable(s) dans {dossier} : {', '.join(inconnus)} "
                             f"(disponibles : {', '.join(p.stem for p in candidats)})")
    choisis = _selection(candidats, notebooks)
    liste_entites = [verifier_entite(e) for e in entites] if entites else list(CODES_INSEE) + [SIREN_AGGLO]
    taches: list[Tache] = []
    for nb in choisis:
        declares = _parametres_declares(nb)
        base: dict[str, Any] = {}
        if dossier_donnees is not None and "dossier_donnees" in declares:
            base["dossier_donnees"] = str(Path(dossier_donnees).resolve())
        if nb.resolve() == fiche.resolve():
            if "entite" not in declares:
                raise ValueError(f"{nb} : la cellule « parameters » doit déclarer « entite »")
            for e in liste_entites:
                nom = nom_entite(e)
                taches.append(Tache(nom=f"{NOTEBOOK_FICHE}_{e}_{_slug(nom)}", notebook=str(nb),
                                    parametres={**base, "entite": e}, entite=e, libelle_entite=nom))
        else:
            taches.append(Tache(nom=nb.stem, notebook=str(nb), parametres=base, entite=None,
                                libelle_entite="Agglomération et 22 communes"))
    return taches


# ------------------------------------------------------------------------------------------------
# Kernels forked from a warm server
# ------------------------------------------------------------------------------------------------
class _ProcessusFork:
    """``subprocess.Popen``-like view of a ``multiprocessing`` process (what LocalProvisioner expects)."""

    stdin = stdout = stderr = None

    def __init__(self, processus: multiprocessing.process.BaseProcess) -> None:
        self._p = processus
        self.pid = processus.pid

    @property
    def returncode(self) -> int | None:
        return self._p.exitcode

    def poll(self) -> int | None:
        return self._p.exitcode

    def wait(self, timeout: float | None = None) -> int | None:
        self._p.join(timeout)
        return self._p.exitcode

    def send_signal(self, signum: int) -> None:
        if self._p.exitcode is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self._p.terminate()

    def kill(self) -> None:
        self._p.kill()


_CONTEXTE_FORK: Any = None


def _contexte_fork():
    """The worker's fork server (started once, preloading :mod:`orleans_gov.rendu.noyau_chaud`)."""
    global _CONTEXTE_FORK
    if _CONTEXTE_FORK is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["orleans_gov.rendu.noyau_chaud"])
        _CONTEXTE_FORK = ctx
    return _CONTEXTE_FORK


def _classe_gestionnaire_fork():
    from jupyter_client.manager import AsyncKernelManager

    class GestionnaireNoyauChaud(AsyncKernelManager):
        """Kernel manager launching ``python -m ipykernel_launcher -f …`` as a fork of the warm server.

        Falls back to the ordinary launch when the kernel command is not this interpreter's ipykernel.
        """

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            prov = self.provisioner
            exe = kernel_cmd[0] if kernel_cmd else ""
            meme_python = exe in {"python", "python3"} or (
                exe and os.path.realpath(exe) == os.path.realpath(sys.executable))
            if not (meme_python and kernel_cmd[1:3] == ["-m", "ipykernel_launcher"]):
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            from orleans_gov.rendu import noyau_chaud  # noqa: F401  (same module the fork server preloads)

            ctx = _contexte_fork()
            proc = ctx.Process(target=noyau_chaud.lancer_noyau,
                               args=(kernel_cmd[3:], kw.get("env"), str(kw["cwd"]) if kw.get("cwd") else None),
                               daemon=False)
            proc.start()
            prov.process = _ProcessusFork(proc)
            prov.pid = proc.pid
            prov.pgid = None
            prov.cwd = kw.get("cwd") or os.getcwd()
            self._reconcile_connection_info(prov.connection_info)

    return GestionnaireNoyauChaud


# ------------------------------------------------------------------------------------------------
# HTML export
# ------------------------------------------------------------------------------------------------
def css_maison() -> str:
    """The house CSS (inlined in every page)."""
    return FICHIER_CSS.read_text(encoding="utf-8")


def date_francaise(d: dt.date) -> str:
    """« 29 novembre 2026 » (« 1er » for the first day of the month)."""
    jour = "1er" if d.day == 1 else str(d.day)
    return f"{jour} {MOIS[d.month - 1]} {d.year}"


_EXPORTEUR: Any = None


def exporteur_html():
    """nbconvert ``HTMLExporter`` with the house template, without code cells nor prompts (one per process)."""
    global _EXPORTEUR
    if _EXPORTEUR is None:
        from nbconvert import HTMLExporter

        exp = HTMLExporter(template_name=NOM_GABARIT, extra_template_basedirs=[str(DOSSIER_GABARIT)])
        exp.exclude_input = True
        exp.exclude_input_prompt = True
        exp.exclude_output_prompt = True
        exp.embed_images = True
        exp.exclude_anchor_links = True
        exp.sanitize_html = False
        _EXPORTEUR = exp
    return _EXPORTEUR


def contient_exemple(nb) -> bool:
    """True when the executed notebook shows sample data: the banner in an output, or the metadata flag
    ``metadata.orleans_gov.exemple``."""
    meta = nb.metadata.get("orleans_gov", {}) if hasattr(nb, "metadata") else {}
    if isinstance(meta, dict) and meta.get("exemple"):
        return True
    for cell in nb.cells:
        for sortie in cell.get("outputs", []):
            morceaux: list[str] = []
            if "text" in sortie:
                morceaux.append(str(sortie["text"]))
            for cle in ("text/html", "text/plain", "text/markdown"):
                valeur = sortie.get("data", {}).get(cle)
                if valeur:
                    morceaux.append(valeur if isinstance(valeur, str) else "".join(valeur))
            texte = "\n".join(morceaux)
            if any(m in texte for m in MARQUEURS_EXEMPLE):
                return True
    return False


def titre_notebook(nb, defaut: str) -> str:
    """Text of the first level-1 Markdown heading, else ``defaut``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for ligne in cell.source.splitlines():
                m = re.match(r"^#\s+(.+?)\s*#*\s*$", ligne)
                if m:
                    return re.sub(r"[*_`]", "", m.group(1)).strip()
    return defaut


def _preparer_pour_html(nb) -> tuple[Any, int]:
    """Copy of ``nb`` without stderr streams (warnings) nor cells tagged ``masquer``; returns (copy, n_stderr)."""
    nb = copy.deepcopy(nb)
    n = 0
    cellules = []
    for cell in nb.cells:
        if ETIQUETTES_MASQUEES & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type == "code":
            gardees = []
            for s in cell.get("outputs", []):
                if s.get("output_type") == "stream" and s.get("name") == "stderr":
                    n += 1
                    continue
                gardees.append(s)
            cell.outputs = gardees
        cellules.append(cell)
    nb.cells = cellules
    return nb, n


_RE_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_RE_SCRIPT_SEUL = re.compile(r"<script\b[^>]*/?>", re.IGNORECASE)
_RE_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_RE_ANCRE_EXTERNE = re.compile(r"<a\b[^>]*\bhref\s*=\s*([\"'])(https?://[^\"']*)\1[^>]*>(.*?)</a\s*>",
                               re.IGNORECASE | re.DOTALL)
_RE_SRC_EXTERNE = re.compile(r"\b(src|href)\s*=\s*([\"'])\s*(?:https?:)?//[^\"']*\2", re.IGNORECASE)
_RE_IMPORT_CSS = re.compile(r"@import\s+url\([^)]*\)\s*;?|url\(\s*[\"']?(?:https?:)?//[^)]*\)", re.IGNORECASE)
_RE_ON_EVENT = re.compile(r"\s on[a-z]+\s*=\s*(\"[^\"]*\"|'[^']*')", re.IGNORECASE | re.VERBOSE)


def rendre_autonome(page: str) -> str:
    """Make a page self-contained: no script, no ``<link>``, no external ``src``/``href``/CSS ``url()``.

    External hyperlinks (sources cited in the text) become their text followed by the address in plain text,
    so the reader still sees where a figure comes from without any network access.
    """
    page = _RE_SCRIPT.sub("", page)
    page = _RE_SCRIPT_SEUL.sub("", page)
    page = _RE_LINK.sub("", page)

    def _ancre(m: re.Match) -> str:
        url, texte = m.group(2), m.group(3)
        texte_brut = re.sub(r"<[^>]+>", "", texte).strip()
        if texte_brut in {url, _html.escape(url)}:
            return f'<span class="og-url">{_html.escape(url.split("://", 1)[1])}</span>'
        return f'{texte} <span class="og-url">({_html.escape(url.split("://", 1)[1])})</span>'

    page = _RE_ANCRE_EXTERNE.sub(_ancre, page)
    page = _RE_SRC_EXTERNE.sub(lambda m: f"data-{m.group(1).lower()}-retire=\"\"", page)
    page = _RE_IMPORT_CSS.sub("", page)
    page = _RE_ON_EVENT.sub("", page)
    return page


def _retirer_premier_h1(corps: str, titre: str) -> str:
    """The cover shows the document title: drop the notebook's own first ``<h1>`` when it is the same."""
    debut = corps.find('<div class="og-corps')
    if debut < 0:
        return corps
    m = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL).search(corps, debut)
    if m:
        texte = _html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip()
        if texte == titre.strip():
            return corps[:m.start()] + corps[m.end():]
    return corps


def exporter_html(nb, tache: Tache, contexte: dict[str, Any]) -> tuple[str, bool, int]:
    """HTML page of an executed notebook; returns (html, sample data shown, number of stderr outputs removed)."""
    exemple = contient_exemple(nb)
    propre, n_stderr = _preparer_pour_html(nb)
    titre = titre_notebook(nb, Path(tache.notebook).stem)
    numeros_manuels = any(re.match(r"^##\s+(\d|[IVX]+[.)])", ligne)
                          for c in nb.cells if c.cell_type == "markdown" for ligne in c.source.splitlines())
    og = {
        "css": contexte["css"],
        "mission": MISSION,
        "client": CLIENT,
        "titre": titre,
        "entite": tache.libelle_entite or "",
        "date": contexte["date"],
        "millesime": (nb.metadata.get("orleans_gov", {}) or {}).get("millesime") or contexte["millesime"],
        "exemple": exemple,
        "version": contexte.get("version", ""),
        "notebook": Path(tache.notebook).name + (
            " — " + ", ".join(f"{k} = {v}" for k, v in tache.parametres.items() if k != "dossier_donnees")
            if tache.parametres else ""),
        "sans_numeros": numeros_manuels,
    }
    corps, _ressources = exporteur_html().from_notebook_node(propre, resources={"og": og})
    corps = _retirer_premier_h1(corps, titre)
    return rendre_autonome(corps), exemple, n_stderr


# ------------------------------------------------------------------------------------------------
# Worker
# ------------------------------------------------------------------------------------------------
def _message_erreur(exc: BaseException) -> tuple[str, str, int | None, str]:
    """(exception name, message, cell index, detail) of a notebook failure."""
    try:
        from papermill.exceptions import PapermillExecutionError
    except ImportError:  # pragma: no cover
        PapermillExecutionError = ()  # type: ignore[assignment]
    if isinstance(exc, PapermillExecutionError):
        detail = "\n".join(exc.traceback) if exc.traceback else ""
        detail = re.sub(r"\x1b\[[0-9;]*m", "", detail)
        return exc.ename, str(exc.evalue), exc.cell_index, detail[-4000:]
    nom = type(exc).__name__
    if nom == "CellTimeoutError" or isinstance(exc, TimeoutError):
        return "Délai dépassé", str(exc).strip().splitlines()[0] if str(exc).strip() else nom, None, ""
    if nom == "DeadKernelError":
        return "Noyau arrêté", str(exc), None, ""
    return nom, str(exc), None, "".join(traceback.format_exception(exc))[-4000:]


def executer_tache(tache: Tache, sortie: str, contexte: dict[str, Any]) -> Resultat:
    """Execute one notebook with papermill (in this process) and export its HTML. Never raises."""
    import nbformat
    import papermill as pm

    dossier = Path(sortie)
    chemin_ipynb = dossier / f"{tache.nom}.ipynb"
    chemin_html = dossier / f"{tache.nom}.html"
    debut = time.perf_counter()
    delai = contexte.get("timeout")
    echeance = (debut + delai) if delai else None

    def _temps_restant(_cell: Any = None) -> int:
        if echeance is None:
            return -1
        return max(1, int(echeance - time.perf_counter()))

    kwargs: dict[str, Any] = {}
    if contexte.get("noyaux_chauds", True) and sys.platform != "win32":
        kwargs["kernel_manager_class"] = _classe_gestionnaire_fork()
    if echeance is not None:
        kwargs["timeout_func"] = _temps_restant
    res = Resultat(nom=tache.nom, notebook=tache.notebook, parametres=dict(tache.parametres), statut="échec",
                   duree_s=0.0, libelle_entite=tache.libelle_entite, ipynb=chemin_ipynb.name)
    try:
        nb = pm.execute_notebook(tache.notebook, str(chemin_ipynb), parameters=dict(tache.parametres),
                                 kernel_name=contexte.get("kernel_name", "python3"), progress_bar=False,
                                 log_output=False, cwd=str(Path(tache.notebook).parent),
                                 start_timeout=contexte.get("start_timeout", 60), **kwargs)
        res.duree_execution_s = round(time.perf_counter() - debut, 3)
    except BaseException as exc:  # noqa: BLE001 - isolation: report and go on
        if isinstance(exc, KeyboardInterrupt):
            raise
        res.erreur_type, res.erreur_message, res.erreur_cellule, res.erreur_detail = _message_erreur(exc)
        res.duree_s = round(time.perf_counter() - debut, 3)
        if not chemin_ipynb.exists():
            res.ipynb = None
        else:
            try:
                partiel = nbformat.read(chemin_ipynb, as_version=4)
                res.titre = titre_notebook(partiel, Path(tache.notebook).stem)
                res.exemple = contient_exemple(partiel)
            except Exception:  # noqa: BLE001
                pass
        return res
    t_export = time.perf_counter()
    try:
        page, exemple, n_stderr = exporter_html(nb, tache, contexte)
        chemin_html.write_text(page, encoding="utf-8")
        res.html = chemin_html.name
        res.exemple = exemple
        res.avertissements = n_stderr
        res.titre = titre_notebook(nb, Path(tache.notebook).stem)
        res.statut = "ok"
    except Exception as exc:  # noqa: BLE001
        res.erreur_type = f"Export HTML : {type(exc).__name__}"
        res.erreur_message = str(exc)
        res.erreur_detail = "".join(traceback.format_exception(exc))[-4000:]
    res.duree_export_s = round(time.perf_counter() - t_export, 3)
    res.duree_s = round(time.perf_counter() - debut, 3)
    return res


def _initialiser_worker() -> None:
    """Pay the imports and the exporter once per worker, and start the warm kernel server."""
    import logging

    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    exporteur_html()
    # Kernels forked by the fork server do not need this worker's ``__main__`` (the ``orleans-gov`` script,
    # pytest…): without these two attributes multiprocessing does not re-import it in every kernel.
    principal = sys.modules.get("__main__")
    if principal is not None:
        principal.__spec__ = None
        if hasattr(principal, "__file__"):
            del principal.__file__


# ------------------------------------------------------------------------------------------------
# Manifest, index, PDF
# ------------------------------------------------------------------------------------------------
def empreintes(dossier_donnees: Path) -> dict[str, str]:
    """sha256 of every file under ``raw/`` and ``processed/`` (relative path → hex digest), sorted."""
    resultat: dict[str, str] = {}
    for sous in ("raw", "processed"):
        base = dossier_donnees / sous
        if not base.exists():
            continue
        for f in sorted(p for p in base.rglob("*") if p.is_file()):
            h = hashlib.sha256()
            with open(f, "rb") as flux:
                for bloc in iter(lambda: flux.read(1 << 20), b""):
                    h.update(bloc)
            resultat[f.relative_to(dossier_donnees).as_posix()] = h.hexdigest()
    return resultat


def versions_paquets() -> dict[str, str]:
    v = {"python": sys.version.split()[0]}
    for p in PAQUETS_MANIFESTE:
        try:
            v[p] = importlib.metadata.version(p)
        except importlib.metadata.PackageNotFoundError:
            v[p] = "absent"
    return v


def commit_git(racine: Path = RACINE_PROJET) -> dict[str, Any] | None:
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=racine, capture_output=True, text=True,
                             timeout=10, check=True).stdout.strip()
        sale = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=racine,
                              capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        return {"commit": sha, "modifications_non_commitees": bool(sale)}
    except (OSError, subprocess.SubprocessError):
        return None


def millesime_donnees(dossier_donnees: Path) -> str:
    """Data vintage for the covers, read from the processed accounts (years and provenance)."""
    try:
        import pyarrow.parquet as pq

        cat = Catalogue(dossier_donnees)
        parties = []
        provenances: set[str] = set()
        for table, libelle in (("finances_communes", "comptes des communes"),
                               ("finances_agglo", "comptes de l'agglomération")):
            chemin = cat.table(table)
            if not chemin.exists():
                continue
            t = pq.read_table(chemin, columns=["an", "provenance"]).to_pandas()
            if len(t):
                parties.append(f"{libelle} {int(t['an'].min())}–{int(t['an'].max())}")
                provenances |= set(t["provenance"].dropna().astype(str))
        if not parties:
            return "données traitées absentes (lancer « orleans-gov donnees »)"
        texte = "DGFiP, " + " ; ".join(parties)
        if "exemple" in provenances:
            texte += " (données d'exemple" + (" et réelles)" if "réel" in provenances else ")")
        return texte
    except Exception as exc:  # noqa: BLE001 - the cover must not stop the run
        return f"millésime non déterminé ({type(exc).__name__})"


def _fmt_duree(s: float | None) -> str:
    if s is None:
        return "n.d."
    return f"{s:.1f}".replace(".", ",") + "\u00a0s"


def ecrire_index(dossier: Path, resultats: list[Resultat], contexte: dict[str, Any], duree_totale: float) -> Path:
    """``index.html``: every deliverable with status, duration and links (self-contained)."""
    e = _html.escape
    n_ok = sum(r.statut == "ok" for r in resultats)
    n_echec = len(resultats) - n_ok
    lignes = []
    for r in resultats:
        liens = []
        if r.html:
            liens.append(f'<a href="{e(r.html)}">HTML</a>')
        if r.pdf:
            liens.append(f'<a href="{e(r.pdf)}">PDF</a>')
        if r.ipynb:
            liens.append(f'<a href="{e(r.ipynb)}">carnet{" partiel" if r.statut != "ok" else ""}</a>')
        statut = ('<span class="og-statut-ok">ok</span>' if r.statut == "ok"
                  else '<span class="og-statut-echec">échec</span>')
        detail = ""
        if r.statut != "ok":
            cell = f"cellule {r.erreur_cellule} : " if r.erreur_cellule is not None else ""
            detail = f'<div class="og-erreur">{e(cell)}{e(r.erreur_type or "")} — {e(r.erreur_message or "")}</div>'
        param = ", ".join(f"{k} = {v}" for k, v in r.parametres.items() if k != "dossier_donnees") or "—"
        lignes.append(
            f"<tr><td>{e(r.titre or r.nom)}<br><small>{e(r.nom)}</small>{detail}</td>"
            f"<td>{e(r.libelle_entite or '')}</td><td>{e(param)}</td><td>{statut}</td>"
            f"<td>{'oui' if r.exemple else 'non'}</td>"
            f'<td class="num">{_fmt_duree(r.duree_s)}</td><td>{" · ".join(liens)}</td></tr>')
    bandeau = ""
    if any(r.exemple for r in resultats):
        bandeau = (f'<div class="og-bandeau-page og-bandeau-exemple" role="note">⚠ {e(TEXTE_EXEMPLE)}. '
                   "Les livrables marqués « exemple » reposent sur des données synthétiques.</div>")
    page = f"""<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Livrables — {e(MISSION)}</title>
<style>
{contexte['css']}
</style></head>
<body><main class="og-page">
{bandeau}
<header class="og-couverture">
<p class="og-mission">{e(MISSION)}</p>
<h1 class="og-titre-document">Livrables du {e(contexte['date'])}</h1>
<dl class="og-meta"><dt>Client</dt><dd>{e(CLIENT)}</dd><dt>Données</dt><dd>{e(contexte['millesime'])}</dd>
<dt>Exécution</dt><dd>{e(contexte['horodatage'])}</dd></dl>
</header>
<p class="og-resume">{len(resultats)} livrable(s) : <strong>{n_ok} réussi(s)</strong>, <strong>{n_echec} en échec</strong>
— durée totale {_fmt_duree(duree_totale)}.</p>
<table class="og-index"><thead><tr><th>Document</th><th>Entité</th><th>Paramètres</th><th>Statut</th>
<th>Données d'exemple</th><th>Durée</th><th>Fichiers</th></tr></thead>
<tbody>
{chr(10).join(lignes)}
</tbody></table>
<footer class="og-pied"><p>Carnets exécutés avec papermill, pages sans code produites par orleans_gov {e(contexte.get('version', ''))}.
Détail des paramètres, empreintes des données et versions : manifest.json.</p></footer>
</main></body></html>
"""
    chemin = dossier / "index.html"
    chemin.write_text(rendre_autonome(page), encoding="utf-8")
    return chemin


def ecrire_manifeste(dossier: Path, resultats: list[Resultat], contexte: dict[str, Any], dossier_donnees: Path,
                     duree_totale: float, options: dict[str, Any]) -> Path:
    manifeste = {
        "mission": MISSION,
        "horodatage": contexte["horodatage"],
        "duree_totale_s": round(duree_totale, 3),
        "options": options,
        "dossier_donnees": str(dossier_donnees),
        "millesime": contexte["millesime"],
        "git": commit_git(),
        "versions": versions_paquets(),
        "donnees_sha256": empreintes(dossier_donnees),
        "carnets_sha256": {str(Path(n).name): hashlib.sha256(Path(n).read_bytes()).hexdigest()
                           for n in sorted({r.notebook for r in resultats}) if Path(n).exists()},
        "livrables": [dataclasses.asdict(r) for r in resultats],
    }
    chemin = dossier / "manifest.json"
    chemin.write_text(json.dumps(manifeste, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    return chemin


def chromium_disponible() -> str | None:
    for nom in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        chemin = shutil.which(nom)
        if chemin:
            return chemin
    return None


MESSAGE_CHROMIUM = ("PDF non produits : Chromium est introuvable sur ce poste. Pour l'installer (Debian/Ubuntu) : "
                    "« sudo apt-get install chromium » puis relancer « orleans-gov rapports --pdf ». "
                    "Les pages HTML sont complètes et s'impriment aussi depuis un navigateur (Fichier > Imprimer).")


def imprimer_pdf(html: Path, pdf: Path, chromium: str, delai: float = 120) -> None:
    """Print an HTML page to PDF with headless Chromium (no network: the pages are self-contained)."""
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--no-first-run", "--disable-extensions", "--no-pdf-header-footer",
           f"--print-to-pdf={pdf}", html.resolve().as_uri()]
    subprocess.run(cmd, check=True, capture_output=True, timeout=delai)


# ------------------------------------------------------------------------------------------------
# Orchestration
# ------------------------------------------------------------------------------------------------
def _mettre_a_jour_latest(racine: Path, dossier: Path) -> None:
    lien = racine / "latest"
    temporaire = racine / f".latest-{os.getpid()}"
    if temporaire.is_symlink() or temporaire.exists():
        temporaire.unlink()
    temporaire.symlink_to(dossier.name, target_is_directory=True)
    os.replace(temporaire, lien)


def _nouveau_dossier(racine: Path, maintenant: dt.datetime) -> Path:
    base = maintenant.strftime("%Y%m%d-%H%M%S")
    dossier = racine / base
    i = 1
    while dossier.exists():
        i += 1
        dossier = racine / f"{base}-{i}"
    dossier.mkdir(parents=True)
    return dossier


def rendre(taches: list[Tache], sortie: str | os.PathLike = RACINE_PROJET / "reports", jobs: int | None = None,
           timeout: float | None = 1800, pdf: bool = False, dossier_donnees: str | os.PathLike | None = None,
           noyaux_chauds: bool = True, barre: bool = True, kernel_name: str = "python3",
           maintenant: dt.datetime | None = None) -> tuple[Path, list[Resultat]]:
    """Render ``taches`` into ``<sortie>/<AAAAMMJJ-HHMMSS>/``; returns (run folder, results in task order)."""
    debut = time.perf_counter()
    racine = Path(sortie).resolve()
    racine.mkdir(parents=True, exist_ok=True)
    maintenant = maintenant or dt.datetime.now()
    dossier = _nouveau_dossier(racine, maintenant)
    donnees = Catalogue.depuis(dossier_donnees).racine
    try:
        version = importlib.metadata.version("orleans_gov")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        version = "dev"
    contexte: dict[str, Any] = {
        "css": css_maison(),
        "date": date_francaise(maintenant.date()),
        "horodatage": maintenant.strftime("%Y-%m-%d %H:%M:%S"),
        "millesime": millesime_donnees(donnees),
        "version": version,
        "timeout": timeout,
        "noyaux_chauds": noyaux_chauds,
        "kernel_name": kernel_name,
    }
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(taches) or 1))
    env_avant = os.environ.get("ORLEANS_GOV_DATA")
    if dossier_donnees is not None:
        os.environ["ORLEANS_GOV_DATA"] = str(donnees)  # kernels inherit it (notebooks without the parameter)
    resultats: dict[str, Resultat] = {}
    try:
        import papermill  # noqa: F401  - imported before the fork: workers start warm
        import nbconvert  # noqa: F401

        ctx = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
        with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_initialiser_worker) as pool:
            futurs = {pool.submit(executer_tache, t, str(dossier), contexte): t for t in taches}
            progression = None
            if barre:
                from tqdm.auto import tqdm

                progression = tqdm(total=len(taches), desc="Livrables", unit="carnet", file=sys.stderr)
            for futur in cf.as_completed(futurs):
                t = futurs[futur]
                try:
                    r = futur.result()
                except BaseException as exc:  # noqa: BLE001 - a dead worker must not hide the others
                    r = Resultat(nom=t.nom, notebook=t.notebook, parametres=dict(t.parametres), statut="échec",
                                 duree_s=0.0, libelle_entite=t.libelle_entite, erreur_type=type(exc).__name__,
                                 erreur_message=str(exc))
                resultats[t.nom] = r
                if progression is not None:
                    progression.update(1)
                    if r.statut != "ok":
                        progression.write(f"ÉCHEC {r.nom} : {r.erreur_type} — {r.erreur_message}")
            if progression is not None:
                progression.close()
    finally:
        if dossier_donnees is not None:
            if env_avant is None:
                os.environ.pop("ORLEANS_GOV_DATA", None)
            else:
                os.environ["ORLEANS_GOV_DATA"] = env_avant
    ordonnes = [resultats[t.nom] for t in taches]
    if pdf:
        chromium = chromium_disponible()
        if chromium is None:
            print(MESSAGE_CHROMIUM, file=sys.stderr)
        else:
            a_imprimer = [r for r in ordonnes if r.html]
            with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
                futurs_pdf = {pool.submit(imprimer_pdf, dossier / r.html, dossier / f"{r.nom}.pdf", chromium): r
                              for r in a_imprimer}
                for f in cf.as_completed(futurs_pdf):
                    r = futurs_pdf[f]
                    try:
                        f.result()
                        r.pdf = f"{r.nom}.pdf"
                    except Exception as exc:  # noqa: BLE001
                        print(f"PDF non produit pour {r.nom} : {exc}", file=sys.stderr)
    duree = time.perf_counter() - debut
    options = {"jobs": jobs, "timeout_s": timeout, "pdf": pdf, "noyaux_chauds": noyaux_chauds,
               "kernel_name": kernel_name}
    ecrire_index(dossier, ordonnes, contexte, duree)
    ecrire_manifeste(dossier, ordonnes, contexte, donnees, duree, options)
    _mettre_a_jour_latest(racine, dossier)
    return dossier, ordonnes


def resume(dossier: Path, resultats: list[Resultat]) -> str:
    """French summary printed at the end of a run."""
    n_ok = sum(r.statut == "ok" for r in resultats)
    lignes = [f"{n_ok}/{len(resultats)} livrable(s) rendu(s) dans {dossier}", f"Index : {dossier / 'index.html'}"]
    for r in resultats:
        if r.statut != "ok":
            cell = f", cellule {r.erreur_cellule}" if r.erreur_cellule is not None else ""
            partiel = f" ; carnet partiel : {dossier / r.ipynb}" if r.ipynb else ""
            lignes.append(f"  ÉCHEC {r.nom}{cell} : {r.erreur_type} — {r.erreur_message}{partiel}")
    return "\n".join(lignes)
