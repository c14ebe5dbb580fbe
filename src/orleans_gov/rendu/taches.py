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

from orleans_gov.base.fichiers import ecrire_atomique
from orleans_gov.base.territoire import CODES_INSEE, SIREN_AGGLO, nom_entite, verifier_entite
from orleans_gov.rendu.carnets import CarnetInvalide, lire_carnet, parametres_declares

NOTEBOOK_FICHE = "10_fiche_commune"
LIBELLE_ENSEMBLE = "Agglomération et 22 communes"
OK, ECHEC = "ok", "échec"
ERREUR_CARNET = "Carnet invalide"
PARAMETRES_CACHES = {"dossier_donnees"}  # a machine path: recorded in the manifest, not shown to the reader


_MASQUE = os.umask(0)
os.umask(_MASQUE)  # read once at import (reading it means setting it)
MODE_LIVRABLE = 0o666 & ~_MASQUE


def ecrire_livrable(chemin: str | os.PathLike, contenu: bytes | str) -> Path:
    """Atomic write (:func:`orleans_gov.base.fichiers.ecrire_atomique`) with the permissions of an ordinary new
    file (0666 minus the umask): the temporary file it renames is created 0600, and a deliverable is meant to be
    read by others (shared folder, web server)."""
    chemin = ecrire_atomique(chemin, contenu)
    os.chmod(chemin, MODE_LIVRABLE)
    return chemin


class ErreurSortie(OSError):
    """The output folder cannot be created or written (nothing is rendered)."""


@dataclasses.dataclass(frozen=True)
class Tache:
    """One deliverable: a notebook and its parameters."""

    nom: str                      # output stem, e.g. "10_fiche_commune_45234_orleans"
    notebook: str                 # absolute path of the source notebook
    parametres: dict[str, Any]
    entite: str | None = None     # entity shown on the cover (fiches)
    libelle_entite: str | None = None
    invalide: str | None = None   # why the notebook cannot be rendered (reported as a failed deliverable)


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
    annexe: str | None = None                 # <livrable>.xlsx (every table of the deliverable)
    annexe_tableaux: int = 0
    annexe_erreurs: list[str] = dataclasses.field(default_factory=list)
    sha256: dict[str, str] = dataclasses.field(default_factory=dict)   # output file name → sha256
    empreinte: str | None = None              # sha256 of the deliverable's inputs (see rendu.entrees)
    entrees: dict[str, Any] | None = None     # the inputs themselves (component → fingerprint)
    raison: str | None = None                 # why it was rendered (first rendering, notebook changed…)
    reutilise_de: str | None = None           # run folder the outputs were copied from (nothing re-executed)
    rendu_dans: str | None = None             # run folder where the outputs were actually produced

    @classmethod
    def echec(cls, tache: Tache, **champs: Any) -> Resultat:
        """A failed outcome of ``tache`` (the starting point of every result: the worker sets ``ok`` at the end)."""
        return cls(nom=tache.nom, notebook=tache.notebook, parametres=dict(tache.parametres), statut=ECHEC,
                   duree_s=0.0, libelle_entite=tache.libelle_entite, **champs)

    @property
    def reussi(self) -> bool:
        return self.statut == OK

    @property
    def fichiers(self) -> list[str]:
        """Output files of the deliverable present in the run folder (executed notebook, HTML, annex, PDF)."""
        return [f for f in (self.ipynb, self.html, self.annexe, self.pdf) if f]

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
        est_fiche = nb.resolve() == fiche.resolve()
        try:
            declares = parametres_declares(lire_carnet(nb))
            if est_fiche and "entite" not in declares:
                raise CarnetInvalide(f"{nb.name} : la cellule « parameters » doit déclarer « entite »")
        except CarnetInvalide as exc:
            # one failed deliverable naming the file and the reason; the others still render (issue 15)
            taches.append(Tache(nom=nb.stem, notebook=str(nb), parametres={}, invalide=str(exc),
                                libelle_entite=None if est_fiche else LIBELLE_ENSEMBLE))
            continue
        base: dict[str, Any] = {}
        if dossier_donnees is not None and "dossier_donnees" in declares:
            base["dossier_donnees"] = str(Path(dossier_donnees).resolve())
        if est_fiche:
            for e in liste_entites:
                nom = nom_entite(e)
                taches.append(Tache(nom=f"{NOTEBOOK_FICHE}_{e}_{_slug(nom)}", notebook=str(nb),
                                    parametres={**base, "entite": e}, entite=e, libelle_entite=nom))
        else:
            taches.append(Tache(nom=nb.stem, notebook=str(nb), parametres=base, entite=None,
                                libelle_entite=LIBELLE_ENSEMBLE))
    return taches
