"""Tables built from the collection workbooks: ``effectifs``, ``effectifs_totaux``, ``fonctions_support``,
``competences_exercees``, and the collected ``depenses_fonction`` and ``flux_agglo_communes``.

1. sample workbooks: generated into ``raw/sample/collecte/`` when missing or out of date (``entrees.sha256``),
   imported through the real import path into ``raw/sample/collecte/importe/*.csv`` (``provenance = "exemple"``);
   skipped when the finance sample is absent (a data folder holding only real files);
2. returned workbooks already imported by ``orleans-gov collecte importer`` (``raw/collecte/*.csv``);
3. real rows replace the sample rows of the same entity and year, as a whole
   (:func:`orleans_gov.base.provenance.reel_prioritaire` with the block ``entite, an``).

Workbook layout, reading and import: :mod:`orleans_gov.sources.classeurs`; the sample workbooks:
:mod:`orleans_gov.echantillon.classeurs`.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.fichiers import ecrire_atomique, empreinte_fichiers, remplacer_atomique
from orleans_gov.base.nomenclatures import CATEGORIES, FILIERES, FONCTIONS_M14, FONCTIONS_SUPPORT, SECTIONS, STATUTS
from orleans_gov.base.provenance import PROVENANCES, reel_prioritaire
from orleans_gov.base.territoire import CODES_INSEE, ENTITES
from orleans_gov.construction.contrat import BOOLEEN, ENTIER, REEL, TEXTE, Colonne, Contrat
from orleans_gov.echantillon.classeurs import VERSION_GENERATEUR, generer_classeurs_exemple
from orleans_gov.sources.classeurs import modele as classeurs
from orleans_gov.sources.classeurs import referentiels
from orleans_gov.sources.classeurs.importees import CLES, CLES_REMPLACEMENT, TABLES as TABLES_COLLECTE
from orleans_gov.sources.classeurs.importees import concatener, lire_tables_importees, tables_vides
from orleans_gov.sources.classeurs.lecture import ErreursClasseurs, RapportImport, importer_dossier

TABLES_PROPRES = ("effectifs", "effectifs_totaux", "fonctions_support", "competences_exercees")
"""The tables only the workbooks provide (``orleans-gov collecte importer`` rebuilds these)."""

_ENTITE, _AN = Colonne("entite", TEXTE, valeurs=ENTITES), Colonne("an", ENTIER)
_PROVENANCE = Colonne("provenance", TEXTE, non_nulle=True, valeurs=PROVENANCES)
_FICHIER = Colonne("fichier", TEXTE, non_nulle=True)

CONTRATS = {c.table: c for c in (
    Contrat("effectifs",
            debut=(_ENTITE, _AN, Colonne("filiere", TEXTE, valeurs=FILIERES),
                   Colonne("categorie", TEXTE, valeurs=CATEGORIES), Colonne("statut", TEXTE, valeurs=STATUTS),
                   Colonne("effectif", REEL), Colonne("etp", REEL), _PROVENANCE, _FICHIER),
            cle=CLES["effectifs"]),
    Contrat("effectifs_totaux",
            debut=(_ENTITE, _AN, Colonne("effectif", REEL), Colonne("etp", REEL), Colonne("charges_personnel", REEL),
                   _PROVENANCE, _FICHIER),
            cle=CLES["effectifs_totaux"]),
    Contrat("fonctions_support",
            debut=(_ENTITE, _AN, Colonne("fonction_support", TEXTE, valeurs=FONCTIONS_SUPPORT), Colonne("etp", REEL),
                   Colonne("cout", REEL), _PROVENANCE, _FICHIER),
            cle=CLES["fonctions_support"]),
    Contrat("competences_exercees",
            debut=(_ENTITE, _AN, Colonne("domaine", TEXTE), Colonne("fonction_m14", TEXTE),
                   Colonne("exercee", BOOLEEN), _PROVENANCE, _FICHIER),
            cle=CLES["competences_exercees"]),
    Contrat("depenses_fonction",
            debut=(_ENTITE, _AN, Colonne("fonction", TEXTE, valeurs=tuple(FONCTIONS_M14)),
                   Colonne("libelle_fonction", TEXTE, non_nulle=True, valeurs=tuple(FONCTIONS_M14.values())),
                   Colonne("section", TEXTE, valeurs=SECTIONS), Colonne("montant", REEL), _PROVENANCE),
            cle=CLES["depenses_fonction"]),
    Contrat("flux_agglo_communes",
            debut=(Colonne("code_insee", TEXTE, valeurs=CODES_INSEE), _AN, Colonne("attribution_compensation", REEL),
                   Colonne("dsc", REEL),
                   _PROVENANCE),
            cle=CLES["flux_agglo_communes"]),
)}


def dossier_exemple(cat: Catalogue) -> Path:
    """Sample workbooks: ``<data>/raw/sample/collecte/``."""
    return cat.sample / "collecte"


def dossier_exemple_importe(cat: Catalogue) -> Path:
    """Tidy CSVs imported from the sample workbooks: ``<data>/raw/sample/collecte/importe/``."""
    return dossier_exemple(cat) / "importe"


def domaines(cat: Catalogue) -> list[str]:
    """The competence domains a workbook must answer (the sourced competence table)."""
    return [d.domaine for d in classeurs.domaines_competences(cat.competences)]


def empreinte_entrees_exemple(cat: Catalogue) -> str:
    """sha256 of what the sample workbooks are computed from: the finance sample and the real accounts (real wins
    over sample), the sample spending and flux tables, the police series, the competence table and the versions
    of the workbook generator and template. A change regenerates the workbooks."""
    fichiers = [p for d in (cat.sample / "dgfip", cat.reel / "dgfip") if d.exists()
                for p in d.rglob("*") if p.is_file()]
    fichiers += [p for p in (cat.fiches_aeff_orleans, cat.police_serie, cat.police_enquete_2023, cat.competences,
                             cat.depenses_fonction_sample, cat.flux_sample) if p.exists()]
    return empreinte_fichiers(fichiers, cat.racine, prefixe=f"{VERSION_GENERATEUR}|{referentiels.VERSION_MODELE}")


def regenerer_classeurs_exemple(cat: Catalogue, graine: int | None = None) -> list[Path]:
    """Write the sample workbooks aside then move them in (a concurrent build never reads a half-written one);
    drop the workbooks of entities no longer generated. Returns the workbooks' paths."""
    dossier = dossier_exemple(cat)
    dossier.mkdir(parents=True, exist_ok=True)
    provisoire = Path(tempfile.mkdtemp(prefix=".provisoire_", dir=dossier))
    try:
        nouveaux = generer_classeurs_exemple(cat, graine, sortie=provisoire)
        for p in dossier.glob("collecte_*.xlsx"):
            if p.name not in {n.name for n in nouveaux}:
                p.unlink()
        return [remplacer_atomique(p, dossier / p.name) for p in nouveaux]
    finally:
        shutil.rmtree(provisoire, ignore_errors=True)


def importer_exemple(cat: Catalogue, graine: int | None = None) -> RapportImport:
    """Generate the sample workbooks if missing or out of date, then import them through the real import path.

    Raises :class:`ErreursClasseurs` if any sample workbook is invalid (it never should be).
    """
    dossier = dossier_exemple(cat)
    marque = dossier / "entrees.sha256"
    empreinte = empreinte_entrees_exemple(cat)
    a_jour = marque.exists() and marque.read_text(encoding="utf-8").strip() == empreinte
    if not any(dossier.glob("collecte_*.xlsx")) or not a_jour:
        regenerer_classeurs_exemple(cat, graine)
        ecrire_atomique(marque, empreinte + "\n")
    rapport = importer_dossier(dossier, dossier_exemple_importe(cat), domaines=domaines(cat), fusion=False)
    if rapport.refuses:
        raise ErreursClasseurs(rapport.erreurs)
    return rapport


def reel_sur_exemple(nom: str, reel: pd.DataFrame, exemple: pd.DataFrame) -> pd.DataFrame:
    """Table ``nom`` from the imported real and sample rows: a real entity-year replaces the sample one as a whole."""
    return reel_prioritaire(concatener(nom, [reel, exemple]), CLES[nom], bloc=CLES_REMPLACEMENT[nom])


def construire_tables_collecte(catalogue: Catalogue) -> dict[str, pd.DataFrame]:
    """The six tables of the workbooks (steps 1–3 of the module docstring), with exactly the docs/TABLES.md columns."""
    cat = catalogue
    exemple = tables_vides()
    if any(dossier_exemple(cat).glob("collecte_*.xlsx")) or (cat.depenses_fonction_sample.exists()
                                                             and cat.flux_sample.exists()):
        importer_exemple(cat)
        exemple = lire_tables_importees(dossier_exemple_importe(cat))
    reel = lire_tables_importees(cat.collecte)
    out = {nom: reel_sur_exemple(nom, reel[nom], exemple[nom]) for nom in TABLES_COLLECTE}
    out["flux_agglo_communes"] = out["flux_agglo_communes"].sort_values(["an", "code_insee"]).reset_index(drop=True)
    return out


def construire(cat: Catalogue) -> dict[str, pd.DataFrame]:
    """The six tables (in the order of :data:`CONTRATS`)."""
    tables = construire_tables_collecte(cat)
    return {nom: tables[nom] for nom in CONTRATS}
