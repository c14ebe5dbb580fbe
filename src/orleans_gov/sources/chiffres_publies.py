"""Strict reader of the figures published for the perimeter (``chiffres-publies_agglo-orleans_2001-2013.csv``):
one row per figure transcribed from a public page (press report of a budget, council speech quoting the compte
administratif or the DGFiP ratios, the agglomeration's budget presentations), with its source and sentence.

Also the mapping of each indicator to the project's definition (:func:`read_correspondances`).

Layout (``,`` separator, UTF-8, decimal point): ``entity, insee_or_siren, year, indicator, value, unit, basis,
source_url, source_title, note``. Refused with :class:`ErreurDonnees` naming file, row and column: another header,
an encoding other than UTF-8, a decimal comma or a non-numeric value, an unknown unit, an identifier outside the
perimeter, a non-integer year, the same (identifier, year, indicator, basis) twice (two sources that disagree are
kept when their basis differs, as the file does).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import ENTITES
from orleans_gov.sources.csv_officiel import en_nombres, lire_table_texte

ENTETE = ("entity", "insee_or_siren", "year", "indicator", "value", "unit", "basis", "source_url", "source_title",
          "note")
UNITES = ("M€", "€/hab", "%", "années", "postes")


def read_chiffres_publies(path: str | Path) -> pd.DataFrame:
    """The published figures, columns renamed to the project's French names: ``entite`` (INSEE code or SIREN),
    ``nom``, ``an``, ``indicateur``, ``valeur``, ``unite``, ``base``, ``source_url``, ``source_titre``, ``note``,
    and ``ligne`` (line in the file, header = 1)."""
    path = Path(path)
    df, encodage = lire_table_texte(path, separateur=",")
    if encodage != "utf-8":
        raise ErreurDonnees(f"encodage {encodage} : le fichier doit être en UTF-8", fichier=path)
    if tuple(df.columns) != ENTETE:
        manquantes = [c for c in ENTETE if c not in df.columns]
        raise ErreurDonnees(f"en-tête inattendu (attendu : {', '.join(ENTETE)})", fichier=path, ligne=1,
                            colonne=manquantes[0] if manquantes else None)
    for i, r in df.iterrows():
        if r["insee_or_siren"] not in ENTITES:
            raise ErreurDonnees("entité hors du périmètre (22 codes INSEE et le SIREN 244500468)", fichier=path,
                                ligne=int(i), colonne="insee_or_siren", valeur=r["insee_or_siren"])
        if not r["year"].isdigit():
            raise ErreurDonnees("année non entière", fichier=path, ligne=int(i), colonne="year", valeur=r["year"])
        if r["unit"] not in UNITES:
            raise ErreurDonnees(f"unité inconnue (attendues : {', '.join(UNITES)})", fichier=path, ligne=int(i),
                                colonne="unit", valeur=r["unit"])
        if not r["indicator"] or not r["source_url"]:
            raise ErreurDonnees("indicateur ou source manquant", fichier=path, ligne=int(i),
                                colonne="indicator" if not r["indicator"] else "source_url")
    valeurs = en_nombres(df, ["value"], path)["value"]
    if valeurs.isna().any():
        i = int(valeurs.index[valeurs.isna().to_numpy().argmax()])
        raise ErreurDonnees("valeur manquante", fichier=path, ligne=i, colonne="value")
    cle = ["insee_or_siren", "year", "indicator", "basis"]
    double = df.duplicated(cle, keep="first")
    if double.any():
        i = int(df.index[double.to_numpy().argmax()])
        raise ErreurDonnees("même chiffre (entité, année, indicateur, base) présent deux fois", fichier=path,
                            ligne=i, colonne="indicator", valeur=df.loc[i, "indicator"])
    out = pd.DataFrame({
        "entite": df["insee_or_siren"], "nom": df["entity"], "an": df["year"].astype("int64"),
        "indicateur": df["indicator"], "valeur": valeurs.astype("float64"), "unite": df["unit"],
        "base": df["basis"], "source_url": df["source_url"], "source_titre": df["source_title"], "note": df["note"],
        "ligne": df.index.to_numpy().astype("int64")})
    for c in ("entite", "nom", "indicateur", "unite", "base", "source_url", "source_titre", "note"):
        out[c] = out[c].astype("string")
    return out.reset_index(drop=True)


SOURCES_MESURE = ("communes", "agglo", "principal", "annexe", "flux")
PERIMETRES = ("budget principal", "consolidé", "budget annexe transports", "budget annexe assainissement")
_CLES_ENTREE = {"indicateur", "entites", "comparable", "perimetre", "mesure", "raison", "note"}
_CLES_MESURE = {"source", "numerateur", "denominateur", "echelle", "budget", "annexe", "part_annexes"}


def read_correspondances(path: str | Path) -> list[dict]:
    """The mapping ``config/rapprochement/indicateurs.yaml``: for each published indicator (and entities), whether
    it is comparable with the project's data, its perimeter and how our value is computed (``mesure``) or why not
    (``raison``). Refuses unknown keys, a comparable entry without ``mesure``, a context entry without ``raison``,
    an unknown source or perimeter, and two entries for the same (indicator, entity), naming the entry."""
    path = Path(path)
    if not path.exists():
        raise ErreurDonnees("fichier introuvable", fichier=path)
    try:
        contenu = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ErreurDonnees(f"YAML illisible : {exc}", fichier=path) from None
    entrees = (contenu or {}).get("indicateurs")
    if not isinstance(entrees, list):
        raise ErreurDonnees("clé « indicateurs » (liste) attendue", fichier=path)
    vus: set[tuple[str, str]] = set()
    for k, e in enumerate(entrees, start=1):
        ou = f"entrée {k} ({e.get('indicateur') if isinstance(e, dict) else e!r})"
        if not isinstance(e, dict) or set(e) - _CLES_ENTREE or not {"indicateur", "entites", "comparable",
                                                                     "perimetre"} <= set(e):
            raise ErreurDonnees(f"{ou} : clés attendues {sorted(_CLES_ENTREE)} (indicateur, entites, comparable, "
                                "perimetre obligatoires)", fichier=path)
        if e["perimetre"] not in PERIMETRES:
            raise ErreurDonnees(f"{ou} : périmètre inconnu (attendus : {', '.join(PERIMETRES)})", fichier=path,
                                valeur=e["perimetre"])
        if e["comparable"] is True:
            m = e.get("mesure")
            if not isinstance(m, dict) or set(m) - _CLES_MESURE or m.get("source") not in SOURCES_MESURE \
                    or "numerateur" not in m:
                raise ErreurDonnees(f"{ou} : « mesure » avec source parmi {', '.join(SOURCES_MESURE)} et "
                                    f"numerateur attendue (clés possibles : {sorted(_CLES_MESURE)})", fichier=path)
        elif e["comparable"] is False:
            if not e.get("raison"):
                raise ErreurDonnees(f"{ou} : un chiffre non comparable dit pourquoi (clé « raison »)", fichier=path)
        else:
            raise ErreurDonnees(f"{ou} : « comparable » vaut true ou false", fichier=path, valeur=e["comparable"])
        for entite in e["entites"]:
            if (e["indicateur"], entite) in vus:
                raise ErreurDonnees(f"{ou} : indicateur déjà décrit pour l'entité {entite}", fichier=path)
            vus.add((e["indicateur"], entite))
    return entrees
