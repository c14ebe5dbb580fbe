"""The deliverable set (DESIGN.md §4): which notebook is rendered with which parameters, and the outcome record.

Every analysis notebook ``notebooks/0*.ipynb`` is rendered once with its defaults; ``notebooks/10_fiche_commune.ipynb``
once per commune (22) and once for the agglomeration (parameter ``entite``). :class:`Tache` is one deliverable,
:class:`Resultat` its outcome (returned by the worker, listed in ``index.html`` and serialised in ``manifest.json``).
"""
from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

from orleans_gov.base.territoire import CODES_INSEE, SIREN_AGGLO, nom_entite, verifier_entite

NOTEBOOK_FICHE = "10_fiche_commune"
LIBELLE_ENSEMBLE = "Agglomération et 22 communes"
OK, ECHEC = "ok", "échec"
PARAMETRES_CACHES = {"dossier_donnees"}  # a machine path: recorded in the manifest, not shown to the reader


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

    @classmethod
    def echec(cls, tache: Tache, **champs: Any) -> Resultat:
        """A failed outcome of ``tache`` (the starting point of every result: the worker sets ``ok`` at the end)."""
        return cls(nom=tache.nom, notebook=tache.notebook, parametres=dict(tache.parametres), statut=ECHEC,
                   duree_s=0.0, libelle_entite=tache.libelle_entite, **champs)

    @property
    def reussi(self) -> bool:
        return self.statut == OK

    def erreur(self) -> str:
        """« ValueError — colonne « pop1 » absente » (exception name and message)."""
        return f"{self.erreur_type or ''} — {self.erreur_message or ''}"


def parametres_affiches(parametres: dict[str, Any]) -> str:
    """« annee = 2014, entite = 45234 »: the parameters a reader sees (cover footer, index), without machine
    paths."""
    return ", ".join(f"{k} = {v}" for k, v in parametres.items() if k not in PARAMETRES_CACHES)


def _slug(texte: str) -> str:
    t = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


def _parametres_declares(notebook: Path) -> set[str]:
    """Names assigned in the cell tagged ``parameters`` (read statically, the notebook is not executed)."""
    import nbformat  # third-party, lazy: the CLI builds its parser (hence imports this module) for every command

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
                                libelle_entite=LIBELLE_ENSEMBLE))
    return taches
