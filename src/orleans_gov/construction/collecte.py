"""Data-collection workbooks: generation (``classeurs``), validation and import (``import_``), sample
(``echantillon_classeurs``), and the processed tables built from them (:func:`construire_tables_collecte`).

CLI: ``orleans-gov collecte generer --sortie DIR`` · ``orleans-gov collecte importer DIR`` ·
``orleans-gov collecte exemple``.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.sources.classeurs import lecture as import_, modele as classeurs, referentiels
from orleans_gov.sources.classeurs.lecture import TABLES as TABLES_COLLECTE
from orleans_gov.sources.classeurs.lecture import ErreursClasseurs, importer_dossier, lire_classeur, lire_tables_importees, valider_dossier

__all__ = ["construire_tables_collecte", "TABLES_COLLECTE", "TABLES_PROPRES",
           "importer_dossier", "lire_classeur", "valider_dossier", "ErreursClasseurs"]

# processed tables this module owns (the data build also takes depenses_fonction and flux_agglo_communes)
TABLES_PROPRES = ("effectifs", "effectifs_totaux", "fonctions_support", "competences_exercees")


def dossier_exemple(cat: Catalogue) -> Path:
    """Sample workbooks: ``<data>/raw/sample/collecte/``."""
    return cat.sample / "collecte"


def dossier_exemple_importe(cat: Catalogue) -> Path:
    """Tidy CSVs imported from the sample workbooks: ``<data>/raw/sample/collecte/importe/``."""
    return dossier_exemple(cat) / "importe"


def domaines(cat: Catalogue) -> list[str]:
    return [d.domaine for d in classeurs.domaines_competences(cat.competences)]


def empreinte_entrees_exemple(cat: Catalogue) -> str:
    """sha256 of what the sample workbooks are computed from: the finance sample and the real accounts (real wins
    over sample), the sample spending and flux tables, the police series, the competence table and the version
    of the workbook generator. A change regenerates the workbooks."""
    from orleans_gov.echantillon.classeurs import VERSION_GENERATEUR
    h = hashlib.sha256(f"{VERSION_GENERATEUR}|{referentiels.VERSION_MODELE}".encode())
    fichiers = sorted(p for d in (cat.sample / "dgfip", cat.reel / "dgfip") if d.exists()
                      for p in d.rglob("*") if p.is_file())
    fichiers += [p for p in (cat.fiches_aeff_orleans, cat.police_serie, cat.police_enquete_2023, cat.competences,
                             cat.depenses_fonction_sample, cat.flux_sample) if p.exists()]
    for p in fichiers:
        h.update(p.relative_to(cat.racine).as_posix().encode())
        taille = p.stat().st_size
        # a national DGFiP file can weigh hundreds of MB: its size stands for its content
        h.update(p.read_bytes() if taille < 20_000_000 else str(taille).encode())
    return h.hexdigest()


def importer_exemple(cat: Catalogue, graine: int | None = None) -> import_.RapportImport:
    """Generate the sample workbooks if missing or out of date, then import them through the real import path.

    Raises :class:`ErreursClasseurs` if any sample workbook is invalid (it never should be).
    """
    dossier = dossier_exemple(cat)
    marque = dossier / "entrees.sha256"
    empreinte = empreinte_entrees_exemple(cat)
    a_jour = marque.exists() and marque.read_text(encoding="utf-8").strip() == empreinte
    if not any(dossier.glob("collecte_*.xlsx")) or not a_jour:
        from orleans_gov.echantillon.classeurs import generer_classeurs_exemple
        # written aside then moved in: a concurrent build never reads a half-written workbook
        dossier.mkdir(parents=True, exist_ok=True)
        provisoire = Path(tempfile.mkdtemp(prefix=".provisoire_", dir=dossier))
        try:
            nouveaux = generer_classeurs_exemple(cat, graine, sortie=provisoire)
            for p in dossier.glob("collecte_*.xlsx"):
                if p.name not in {n.name for n in nouveaux}:
                    p.unlink()
            for p in nouveaux:
                os.replace(p, dossier / p.name)
        finally:
            shutil.rmtree(provisoire, ignore_errors=True)
        marque.write_text(empreinte + "\n", encoding="utf-8")
    rapport = importer_dossier(dossier, dossier_exemple_importe(cat), domaines=domaines(cat), fusion=False)
    if rapport.refuses:
        raise ErreursClasseurs(rapport.erreurs)
    return rapport


def _priorite_reel(reel: pd.DataFrame, exemple: pd.DataFrame, nom: str) -> pd.DataFrame:
    """Real (returned workbooks) rows replace the sample rows of the same entity-year, as a whole."""
    cle = list(import_.CLES_REMPLACEMENT[nom])
    if len(reel) and len(exemple):
        remplacees = pd.MultiIndex.from_frame(reel[cle].drop_duplicates())
        exemple = exemple[~pd.MultiIndex.from_frame(exemple[cle]).isin(remplacees)]
    morceaux = [d for d in (reel, exemple) if len(d)]
    df = pd.concat(morceaux, ignore_index=True) if morceaux else reel
    return import_._normaliser(nom, df)


def construire_tables_collecte(catalogue: Catalogue) -> dict[str, pd.DataFrame]:
    """Processed tables from the collection workbooks, for the data build (``orleans-gov donnees``).

    1. sample workbooks: generated into ``raw/sample/collecte/`` if missing, imported through the real import
       path into ``raw/sample/collecte/importe/*.csv`` (``provenance = "exemple"``); skipped when the finance
       sample is absent (a data folder holding only real files);
    2. returned workbooks already imported by ``orleans-gov collecte importer`` (``raw/collecte/*.csv``);
    3. real rows replace the sample rows of the same entity and year.

    Returns ``effectifs``, ``effectifs_totaux``, ``fonctions_support``, ``competences_exercees``,
    ``depenses_fonction`` and ``flux_agglo_communes`` (the last two with exactly the docs/TABLES.md columns).
    """
    cat = catalogue
    exemple = {nom: import_._normaliser(nom, pd.DataFrame(columns=list(c))) for nom, c in TABLES_COLLECTE.items()}
    if any(dossier_exemple(cat).glob("collecte_*.xlsx")) or (cat.depenses_fonction_sample.exists()
                                                             and cat.flux_sample.exists()):
        importer_exemple(cat)
        exemple = lire_tables_importees(dossier_exemple_importe(cat))
    reel = lire_tables_importees(cat.collecte) if cat.collecte.exists() else {
        nom: import_._normaliser(nom, pd.DataFrame(columns=list(c))) for nom, c in TABLES_COLLECTE.items()}
    out = {nom: _priorite_reel(reel[nom], exemple[nom], nom) for nom in TABLES_COLLECTE}
    out["flux_agglo_communes"] = out["flux_agglo_communes"].sort_values(["an", "code_insee"]).reset_index(drop=True)
    return out
