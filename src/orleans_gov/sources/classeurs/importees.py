"""The tidy tables imported from the collection workbooks: their layout, types, keys, and their CSV files.

Imported data land in tidy CSV files (one per table, with ``entite`` and ``an`` columns)::

    effectifs.csv             entite, an, filiere, categorie, statut, effectif, etp, provenance, fichier
    effectifs_totaux.csv      entite, an, effectif, etp, charges_personnel (k€), provenance, fichier
    fonctions_support.csv     entite, an, fonction_support, etp, cout (k€), provenance, fichier
    depenses_fonction.csv     entite, an, fonction, libelle_fonction, section, montant (k€), provenance
    competences_exercees.csv  entite, an, domaine, fonction_m14, exercee (bool), provenance, fichier
    flux_agglo_communes.csv   code_insee, an, attribution_compensation (k€), dsc (k€), provenance

``depenses_fonction`` and ``flux_agglo_communes`` keep exactly the columns of docs/TABLES.md.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.fichiers import ecrire_atomique
from orleans_gov.base.provenance import hors_blocs

TABLES: dict[str, tuple[str, ...]] = {
    "effectifs": ("entite", "an", "filiere", "categorie", "statut", "effectif", "etp", "provenance", "fichier"),
    "effectifs_totaux": ("entite", "an", "effectif", "etp", "charges_personnel", "provenance", "fichier"),
    "fonctions_support": ("entite", "an", "fonction_support", "etp", "cout", "provenance", "fichier"),
    "depenses_fonction": ("entite", "an", "fonction", "libelle_fonction", "section", "montant", "provenance"),
    "competences_exercees": ("entite", "an", "domaine", "fonction_m14", "exercee", "provenance", "fichier"),
    "flux_agglo_communes": ("code_insee", "an", "attribution_compensation", "dsc", "provenance"),
}
CLES: dict[str, tuple[str, ...]] = {
    "effectifs": ("entite", "an", "filiere", "categorie", "statut"),
    "effectifs_totaux": ("entite", "an"),
    "fonctions_support": ("entite", "an", "fonction_support"),
    "depenses_fonction": ("entite", "an", "fonction", "section"),
    "competences_exercees": ("entite", "an", "domaine"),
    "flux_agglo_communes": ("code_insee", "an"),
}
CLES_REMPLACEMENT: dict[str, tuple[str, ...]] = {
    "effectifs": ("entite", "an"), "effectifs_totaux": ("entite", "an"), "fonctions_support": ("entite", "an"),
    "depenses_fonction": ("entite", "an"), "competences_exercees": ("entite", "an"),
    "flux_agglo_communes": ("code_insee", "an"),
}
"""The block one workbook answers for: a workbook (real, or a newer import) replaces every row of its entity-year."""
NUMERIQUES = frozenset({"effectif", "etp", "charges_personnel", "cout", "montant", "attribution_compensation", "dsc"})


def normaliser(nom: str, df: pd.DataFrame) -> pd.DataFrame:
    """The columns of table ``nom`` in order, typed (``an`` int, amounts float, ``exercee`` boolean, text
    otherwise), sorted by its key (stable)."""
    df = df.reindex(columns=list(TABLES[nom])).copy()
    for c in df.columns:
        if c == "an":
            df[c] = df[c].astype("int64")
        elif c in NUMERIQUES:
            df[c] = pd.to_numeric(df[c]).astype("float64")
        elif c == "exercee":
            df[c] = df[c].astype("boolean")
        else:
            df[c] = df[c].astype("string")
    return df.sort_values(list(CLES[nom]), kind="mergesort").reset_index(drop=True)


def tables_vides() -> dict[str, pd.DataFrame]:
    """Every imported table, empty, with its columns and types."""
    return {nom: normaliser(nom, pd.DataFrame(columns=list(colonnes))) for nom, colonnes in TABLES.items()}


def ecrire_csv(df: pd.DataFrame, chemin: Path) -> None:
    """Deterministic CSV: UTF-8, ',' separator, '\\n' line ends, shortest round-trip float representation; written
    atomically (a reader never sees a half-written file)."""
    sortie = df.copy()
    if "exercee" in sortie:
        sortie["exercee"] = sortie["exercee"].map({True: "oui", False: "non"}).astype("object")
    ecrire_atomique(chemin, sortie.to_csv(index=False, lineterminator="\n"))


def ecrire_tables(tables: Mapping[str, pd.DataFrame], destination: str | Path) -> list[Path]:
    """Write each table as ``<destination>/<nom>.csv`` (:func:`ecrire_csv`); returns the written paths."""
    ecrits = []
    for nom, df in tables.items():
        chemin = Path(destination) / f"{nom}.csv"
        ecrire_csv(df, chemin)
        ecrits.append(chemin)
    return ecrits


def lire_tables_importees(dossier: str | Path) -> dict[str, pd.DataFrame]:
    """Read the tidy CSV files of an import folder (absent files give empty tables with the right columns)."""
    dossier = Path(dossier)
    out = tables_vides()
    for nom, colonnes in TABLES.items():
        chemin = dossier / f"{nom}.csv"
        if not chemin.exists():
            continue
        df = pd.read_csv(chemin, dtype=str, keep_default_na=False, na_values=[""])
        manquantes = [c for c in colonnes if c not in df.columns]
        if manquantes:
            raise ErreurDonnees("colonne absente du fichier importé", fichier=chemin, ligne=1, colonne=manquantes[0])
        if "exercee" in df:
            valeurs = df["exercee"].dropna()
            mauvais = ~valeurs.isin(["oui", "non"])
            if mauvais.any():
                i = mauvais.index[mauvais.to_numpy()][0]
                raise ErreurDonnees("valeur attendue : oui ou non", fichier=chemin, ligne=int(i) + 2,
                                    colonne="exercee", valeur=df.at[i, "exercee"])
            df["exercee"] = df["exercee"].map({"oui": True, "non": False})
        out[nom] = normaliser(nom, df)
    return out


def concatener(nom: str, morceaux: list[pd.DataFrame]) -> pd.DataFrame:
    """The non-empty pieces of table ``nom`` as one normalised frame (empty table when there is none)."""
    morceaux = [m for m in morceaux if m is not None and len(m)]
    df = pd.concat(morceaux, ignore_index=True) if morceaux else pd.DataFrame(columns=list(TABLES[nom]))
    return normaliser(nom, df)


def fusionner(anciennes: Mapping[str, pd.DataFrame], nouvelles: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """New rows replace the old rows of the same entity and year (``CLES_REMPLACEMENT``); others are kept."""
    out = {}
    for nom in TABLES:
        a, n = anciennes.get(nom), nouvelles.get(nom)
        if a is not None and n is not None:
            a = hors_blocs(a, n, CLES_REMPLACEMENT[nom])
        out[nom] = concatener(nom, [a, n])
    return out
