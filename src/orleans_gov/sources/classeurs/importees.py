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

import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.fichiers import ecrire_atomique, empreinte_fichier, exiger_fichier
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
    empreintes = dict(lire_empreintes(destination))
    empreintes.update({p.name: empreinte_fichier(p) for p in ecrits})
    ecrire_atomique(Path(destination) / EMPREINTES, "".join(f"{h}  {n}\n" for n, h in sorted(empreintes.items())))
    return ecrits


EMPREINTES = "empreintes.sha256"
"""sha256 of each imported CSV as the import wrote it (``sha256sum`` format): a hand edit is then reported."""


class AvertissementImport(UserWarning):
    """An imported CSV differs from what the import wrote (edited by hand since)."""


def lire_empreintes(dossier: str | Path) -> dict[str, str]:
    """File name → sha256 recorded by the last import in ``dossier`` (empty when none)."""
    chemin = Path(dossier) / EMPREINTES
    if not chemin.is_file():
        return {}
    out = {}
    for ligne in chemin.read_text(encoding="utf-8").splitlines():
        h, _, nom = ligne.partition("  ")
        if nom:
            out[nom] = h
    return out


def lire_tables_importees(dossier: str | Path) -> dict[str, pd.DataFrame]:
    """Read the tidy CSV files of an import folder (absent files give empty tables with the right columns)."""
    dossier = Path(dossier)
    out = tables_vides()
    empreintes = lire_empreintes(dossier)
    for nom, colonnes in TABLES.items():
        chemin = dossier / f"{nom}.csv"
        if not chemin.exists():
            continue
        exiger_fichier(chemin)
        if chemin.name in empreintes and empreinte_fichier(chemin) != empreintes[chemin.name]:
            warnings.warn(f"fichier « {chemin} » modifié depuis son import (empreinte différente de {EMPREINTES}) : "
                          "les corrections se font dans le classeur, puis `orleans-gov collecte importer`",
                          AvertissementImport, stacklevel=2)
        try:
            df = pd.read_csv(chemin, dtype=str, keep_default_na=False, na_values=[""])
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ErreurDonnees(f"CSV importé illisible : {str(exc)[:200]}", fichier=chemin) from None
        df.index = pd.RangeIndex(2, 2 + len(df))
        manquantes = [c for c in colonnes if c not in df.columns]
        if manquantes:
            raise ErreurDonnees("colonne absente du fichier importé", fichier=chemin, ligne=1, colonne=manquantes[0])
        if "exercee" in df:
            valeurs = df["exercee"].dropna()
            mauvais = ~valeurs.isin(["oui", "non"])
            if mauvais.any():
                i = mauvais.index[mauvais.to_numpy()][0]
                raise ErreurDonnees("valeur attendue : oui ou non", fichier=chemin, ligne=int(i),
                                    colonne="exercee", valeur=df.at[i, "exercee"])
            df["exercee"] = df["exercee"].map({"oui": True, "non": False})
        _verifier_nombres(df, chemin)
        out[nom] = normaliser(nom, df)
    return out


def _verifier_nombres(df: pd.DataFrame, chemin: Path) -> None:
    """The year and the amounts of an imported CSV (index: line numbers): a hand edit that broke one is named."""
    for c in df.columns:
        if c not in NUMERIQUES and c != "an":
            continue
        v = df[c].dropna()
        x = pd.to_numeric(v, errors="coerce")
        mauvais = x.isna() | ~np.isfinite(x.astype("float64"))
        if c == "an":
            mauvais |= ~v.str.fullmatch(r"\d{4}")
        if mauvais.any():
            i = mauvais.index[mauvais.to_numpy()][0]
            raise ErreurDonnees("année sur 4 chiffres attendue" if c == "an" else "nombre fini attendu",
                                fichier=chemin, ligne=int(i), colonne=c, valeur=df.at[i, c])
    for c in ("entite", "code_insee"):
        if c in df.columns and df[c].isna().any():
            i = df.index[df[c].isna().to_numpy()][0]
            raise ErreurDonnees("identifiant manquant", fichier=chemin, ligne=int(i), colonne=c)


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
