"""Policy diagnostic (DESIGN.md §3.3): spending by M14 function, taux d'intégration per policy, charges de
centralité, competence matrix.

Input tables (docs/TABLES.md): ``depenses_fonction`` (``entite`` × ``an`` × ``fonction`` × ``section``, ``montant``
in k€), a population table with ``entite``, ``an``, ``population`` (``territoire``) and ``competences``.
M14 functional presentation (instruction budgétaire et comptable M14, compulsory from 3 500 inhabitants; docs/FORMATS.md
§4): 0 services généraux … 9 action économique. M57 renumbers the functions: never mix them without a mapping.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.analyse.colonnes import somme_stricte
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.nomenclatures import A_CONFIRMER, FONCTIONS_M14, NIVEAUX_COMPETENCE, SECTIONS
from orleans_gov.base.territoire import CODE_ORLEANS, CODES_INSEE, COMMUNES, SIREN_AGGLO, nom_entite


def _source(df: pd.DataFrame, defaut: str) -> str:
    return str(df.attrs.get("fichier", defaut))


def _verifier_colonnes(df: pd.DataFrame, colonnes: tuple[str, ...], source: str) -> None:
    for c in colonnes:
        if c not in df.columns:
            raise ErreurDonnees(f"colonne obligatoire absente (colonnes lues : {', '.join(map(str, df.columns))})",
                                fichier=source, colonne=c)


def _ligne(df: pd.DataFrame, masque: pd.Series) -> tuple[int | None, object]:
    i = masque.index[masque.to_numpy()][0]
    pos = int(df.index.get_loc(i)) + 2  # header = line 1
    return pos, i


def normaliser_depenses(depenses: pd.DataFrame) -> pd.DataFrame:
    """Validated copy of a ``depenses_fonction`` table.

    Checks (:class:`ErreurDonnees` naming the table, the line, the column and the value): columns ``entite``, ``an``,
    ``fonction``, ``section``, ``montant``; ``fonction`` a M14 code whose first character is 0–9 (a longer code such
    as ``"82"`` is a sub-function: ``fonction`` becomes its first digit and the code is kept in ``sous_fonction``);
    ``section`` ∈ {fonctionnement, investissement}; ``montant`` numeric (NaN = missing, kept as missing); no duplicate
    entite × an × fonction × (sous_fonction) × section.
    """
    src = _source(depenses, "depenses_fonction")
    _verifier_colonnes(depenses, ("entite", "an", "fonction", "section", "montant"), src)
    d = depenses.copy()
    d["entite"] = d["entite"].astype("string")
    d["fonction"] = d["fonction"].astype("string").str.strip()
    bad = ~d["fonction"].fillna("").str.fullmatch(r"\d{1,3}")
    if bad.any():
        ligne, i = _ligne(d, bad)
        raise ErreurDonnees("fonction M14 attendue (code de 0 à 9, ou sous-fonction « 82 »…)", fichier=src,
                            ligne=ligne, colonne="fonction", valeur=d.at[i, "fonction"])
    if "sous_fonction" not in d.columns:
        longue = d["fonction"].str.len() > 1
        d["sous_fonction"] = d["fonction"].where(longue)
        d["fonction"] = d["fonction"].str[0]
    bad = ~d["section"].isin(SECTIONS)
    if bad.any():
        ligne, i = _ligne(d, bad)
        raise ErreurDonnees("section attendue : « fonctionnement » ou « investissement »", fichier=src, ligne=ligne,
                            colonne="section", valeur=d.at[i, "section"])
    montant = pd.to_numeric(d["montant"], errors="coerce")
    bad = montant.isna() & d["montant"].notna()
    if bad.any():
        ligne, i = _ligne(d, bad)
        raise ErreurDonnees("montant non numérique (k€)", fichier=src, ligne=ligne, colonne="montant",
                            valeur=d.at[i, "montant"])
    d["montant"] = montant.astype("float64")
    cle = ["entite", "an", "fonction", "sous_fonction", "section"]
    dup = d.duplicated(cle, keep=False)
    if dup.any():
        ligne, i = _ligne(d, dup)
        raise ErreurDonnees("ligne en double pour entite × an × fonction × section", fichier=src, ligne=ligne,
                            colonne="fonction", valeur=f"{d.at[i, 'entite']} / {d.at[i, 'an']} / {d.at[i, 'fonction']}")
    if "libelle_fonction" not in d.columns:
        d["libelle_fonction"] = d["fonction"].map(FONCTIONS_M14)
    return d


def niveau_entite(entite: str) -> str:
    """« agglomération » for the SIREN of the agglomeration, « commune » for the 22 INSEE codes."""
    return "agglomération" if str(entite) == SIREN_AGGLO else "commune"


def depenses_par_habitant(depenses: pd.DataFrame, populations: pd.DataFrame) -> pd.DataFrame:
    """Spending by M14 function × entity × section × year, in k€ and €/hab.

    ``populations``: ``entite``, ``an``, ``population`` (the ``territoire`` table; the agglomeration's population is
    its own row). ``eur_hab`` = ``montant`` (k€) × 1000 / population; NaN when the population is missing or 0 (never
    0). Sub-functions are kept (``sous_fonction``) when the input has them.

    Returns ``entite``, ``nom``, ``niveau``, ``an``, ``fonction``, ``sous_fonction``, ``libelle_fonction``,
    ``section``, ``montant`` (k€), ``population``, ``eur_hab``, ``provenance`` (when present).
    """
    d = normaliser_depenses(depenses)
    _verifier_colonnes(populations, ("entite", "an", "population"), _source(populations, "populations"))
    p = populations[["entite", "an", "population"]].copy()
    p["entite"] = p["entite"].astype("string")
    dup = p.duplicated(["entite", "an"], keep=False)
    if dup.any():
        ligne, i = _ligne(p, dup)
        raise ErreurDonnees("population en double pour la même entité et la même année", fichier=_source(populations, "populations"),
                            ligne=ligne, colonne="population", valeur=f"{p.at[i, 'entite']} / {p.at[i, 'an']}")
    out = d.merge(p, on=["entite", "an"], how="left", validate="many_to_one")
    pop = out["population"].astype("float64")
    out["eur_hab"] = out["montant"] * 1000.0 / pop.where(pop > 0)
    out["niveau"] = out["entite"].map(niveau_entite)
    out["nom"] = out["entite"].map(lambda e: nom_entite(e) if (e in COMMUNES or e == SIREN_AGGLO) else e)
    cols = ["entite", "nom", "niveau", "an", "fonction", "sous_fonction", "libelle_fonction", "section", "montant",
            "population", "eur_hab"] + (["provenance"] if "provenance" in out.columns else [])
    return out[cols].sort_values(["entite", "an", "fonction", "section"], kind="stable").reset_index(drop=True)


def _filtrer(dep: pd.DataFrame, an: int, section: str | None) -> pd.DataFrame:
    if section is not None and section not in SECTIONS:
        raise ValueError(f"section : « fonctionnement », « investissement » ou None (les deux), pas {section!r}")
    d = dep[dep["an"] == an]
    if section is not None:
        d = d[d["section"] == section]
    return d


def _par_fonction(d: pd.DataFrame) -> pd.Series:
    """Entity × function amounts (k€), summed over sections / sub-functions strictly (one NaN → NaN)."""
    return d.groupby(["entite", "fonction"], observed=True)["montant"].agg(somme_stricte)


def _eur_hab_par_fonction(d: pd.DataFrame) -> pd.DataFrame:
    """Entity × function: ``montant`` (k€, strict sum), ``population``, ``eur_hab`` (NaN without population)."""
    montants = _par_fonction(d).rename("montant").reset_index()
    pops = d.drop_duplicates("entite").set_index("entite")["population"].astype("float64").where(lambda s: s > 0)
    montants["population"] = montants["entite"].map(pops)
    montants["eur_hab"] = montants["montant"] * 1000.0 / montants["population"]
    return montants


def depenses_fonction_eur_hab(dep_hab: pd.DataFrame, an: int, section: str | None = None,
                              inclure_agglo: bool = False) -> pd.DataFrame:
    """Spending of each commune (and of the agglomeration with ``inclure_agglo``) by M14 function for one year:
    ``entite``, ``fonction``, ``montant`` (k€, fonctionnement + investissement when ``section`` is None, strict
    sum), ``population``, ``eur_hab`` (montant × 1000 / population; NaN when missing, never 0).
    Input: :func:`depenses_par_habitant`."""
    d = _filtrer(dep_hab, an, section)
    if not inclure_agglo:
        d = d[d["niveau"] == "commune"]
    return _eur_hab_par_fonction(d)


def taux_integration(depenses: pd.DataFrame, an: int, section: str | None = None,
                     communes_attendues: tuple[str, ...] | None = CODES_INSEE) -> pd.DataFrame:
    """Agglomeration's share of the block's spending per M14 function (« taux d'intégration » of the policy).

    taux_integration_pct = agglomeration spending / (agglomeration + Σ communes spending) × 100 on that function,
    year ``an``, ``section`` (None = both). Σ communes is strict: a missing commune value gives NaN (``nb_communes``
    says how many communes are present; the rate is NaN when one of ``communes_attendues`` — by default the 22
    communes of the perimeter, None = no check — is absent).
    Total 0 or negative → NaN (no spending: no rate). A last row ``fonction`` = « Total » covers all functions.

    Returns ``fonction``, ``libelle_fonction``, ``communes_keur``, ``agglomeration_keur``, ``total_keur``,
    ``taux_integration_pct``, ``nb_communes``.
    """
    d = normaliser_depenses(depenses)
    d = _filtrer(d, an, section)
    d = d.assign(niveau=d["entite"].map(niveau_entite))
    rows = []
    fonctions = sorted(d["fonction"].dropna().unique())
    for f in fonctions + ["Total"]:
        g = d if f == "Total" else d[d["fonction"] == f]
        c = g[g["niveau"] == "commune"]
        a = g[g["niveau"] == "agglomération"]
        som_c = c["montant"].sum(min_count=1) if c["montant"].notna().all() else np.nan
        som_a = a["montant"].sum(min_count=1) if (len(a) and a["montant"].notna().all()) else np.nan
        presentes = set(c["entite"])
        if communes_attendues is not None and not set(communes_attendues) <= presentes:
            som_c = np.nan
        total = som_c + som_a
        rows.append({"fonction": f, "libelle_fonction": "Toutes fonctions" if f == "Total" else FONCTIONS_M14.get(f, f),
                     "communes_keur": som_c, "agglomeration_keur": som_a, "total_keur": total,
                     "taux_integration_pct": som_a / total * 100.0 if pd.notna(total) and total > 0 else np.nan,
                     "nb_communes": len(presentes)})
    out = pd.DataFrame(rows)
    out.attrs["definition"] = ("taux d'intégration = dépenses de l'agglomération / (agglomération + communes) "
                               "sur la fonction M14" + ("" if section is None else f", section {section}"))
    return out


def charges_centralite(dep_hab: pd.DataFrame, an: int, section: str | None = None,
                       centre: str = CODE_ORLEANS) -> pd.DataFrame:
    """Charges de centralité: spending per inhabitant of the central city against the other communes, per function.

    For year ``an`` and ``section`` (None = both), per M14 function:
    ``centre_eur_hab`` = central city's spending × 1000 / its population; ``moyenne_autres_eur_hab`` = simple mean of
    the other communes' €/hab; ``moyenne_ponderee_autres_eur_hab`` = Σ spending of the others × 1000 / Σ their
    population (the €/hab of « the rest of the territory »); ``ecart_eur_hab`` = centre − weighted mean;
    ``ratio`` = centre / weighted mean; ``surcout_keur`` = écart × population of the centre / 1000 (the extra
    spending of the centre compared with the rest at the same €/hab: an order of magnitude of the charges de
    centralité, not a CLECT evaluation). NaN propagates (never 0). Input: :func:`depenses_par_habitant`.
    """
    montants = depenses_fonction_eur_hab(dep_hab, an, section)
    pops = montants.drop_duplicates("entite").set_index("entite")["population"]
    if centre not in set(montants["entite"]):
        raise ErreurDonnees(f"la ville-centre {centre} n'a pas de dépenses par fonction en {an}",
                            fichier="depenses_fonction", colonne="entite", valeur=centre)
    rows = []
    pop_c = float(pops.get(centre, np.nan))
    for f, g in montants.groupby("fonction", sort=True):
        c = g[g["entite"] == centre]
        autres = g[g["entite"] != centre]
        v_c = float(c["eur_hab"].iloc[0]) if len(c) else np.nan
        simple = autres["eur_hab"].mean() if autres["eur_hab"].notna().all() and len(autres) else np.nan
        pond = (autres["montant"].sum() * 1000.0 / autres["population"].sum()
                if len(autres) and autres[["montant", "population"]].notna().all().all() else np.nan)
        ecart = v_c - pond
        rows.append({"fonction": f, "libelle_fonction": FONCTIONS_M14.get(f, f), "centre_eur_hab": v_c,
                     "moyenne_autres_eur_hab": simple, "moyenne_ponderee_autres_eur_hab": pond,
                     "ecart_eur_hab": ecart, "ratio": v_c / pond if pd.notna(pond) and pond > 0 else np.nan,
                     "surcout_keur": ecart * pop_c / 1000.0, "nb_autres_communes": len(autres)})
    out = pd.DataFrame(rows)
    out.attrs["centre"] = centre
    return out


def matrice_competences(competences: pd.DataFrame) -> pd.DataFrame:
    """The competence matrix: one row per competence line, one column per level, with its legal basis and source.

    Input: the processed ``competences`` table (from data/raw/reel/competences/competences_agglo-orleans.csv, see its
    README): ``domaine``, ``fonction_m14``, ``niveau``, ``depuis``, ``base_legale``, ``source_url``,
    ``source_titre``, ``note``. ``niveau`` must be one of :data:`NIVEAUX_COMPETENCE` (else :class:`ErreurDonnees`).
    ``statut`` = « à confirmer » when the line's ``base_legale`` or ``note`` says so, or when it has no
    ``source_url``; « sourcée » otherwise. Nothing is inferred beyond the table.

    Returns ``fonction_m14``, ``libelle_fonction``, ``domaine``, one « ● » column per level (empty string
    elsewhere), ``depuis``, ``base_legale``, ``statut``, ``source_titre``, ``source_url``; sorted by function.
    """
    src = _source(competences, "competences")
    _verifier_colonnes(competences, ("domaine", "fonction_m14", "niveau", "base_legale", "source_url", "note"), src)
    c = competences.copy()
    niveau = c["niveau"].astype("string").str.strip()
    bad = ~niveau.isin(list(NIVEAUX_COMPETENCE))
    if bad.any():
        ligne, i = _ligne(c, bad)
        raise ErreurDonnees(f"niveau de compétence inconnu (attendu : {', '.join(NIVEAUX_COMPETENCE)})",
                            fichier=src, ligne=ligne, colonne="niveau", valeur=c.at[i, "niveau"])
    fonction = c["fonction_m14"].astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    txt = (c["base_legale"].fillna("").astype(str) + " " + c["note"].fillna("").astype(str)).str.lower()
    sans_source = c["source_url"].fillna("").astype(str).str.strip() == ""
    statut = np.where(txt.str.contains(A_CONFIRMER, regex=False) | sans_source, A_CONFIRMER, "sourcée")
    out = pd.DataFrame({"fonction_m14": fonction, "libelle_fonction": fonction.map(FONCTIONS_M14),
                        "domaine": c["domaine"].astype("string")})
    for n, lib in NIVEAUX_COMPETENCE.items():
        out[lib] = np.where(niveau == n, "●", "")
    out["depuis"] = c["depuis"].astype("string") if "depuis" in c else pd.NA
    out["base_legale"] = c["base_legale"].astype("string")
    out["statut"] = statut
    out["source_titre"] = c["source_titre"].astype("string") if "source_titre" in c else pd.NA
    out["source_url"] = c["source_url"].astype("string")
    return out.sort_values(["fonction_m14", "domaine"], kind="stable").reset_index(drop=True)


def competences_par_fonction(competences: pd.DataFrame) -> pd.DataFrame:
    """Count of competence lines per M14 function × level (input: the ``competences`` table), for a compact view
    next to the taux d'intégration."""
    m = matrice_competences(competences)
    niveaux = list(NIVEAUX_COMPETENCE.values())
    g = m.groupby(["fonction_m14", "libelle_fonction"], dropna=False)[niveaux].agg(lambda s: int((s == "●").sum()))
    return g.reset_index()


def populations_dgfip(finances_communes: pd.DataFrame) -> pd.DataFrame:
    """Population per entity and year for the per-inhabitant spending: the communes' DGFiP ``pop1`` (population
    légale used by the comptes individuels, so that €/hab by function add up to the DGFiP ``fcharge``) and, for the
    agglomeration, Σ ``pop1`` of its communes that year (strict: NaN when one commune's ``pop1`` is missing).

    Returns ``entite``, ``an``, ``population``.
    """
    f = finances_communes[["code_insee", "an", "pop1"]].rename(columns={"code_insee": "entite", "pop1": "population"})
    f = f.assign(entite=f["entite"].astype("string"), population=f["population"].astype("float64"))
    agg = f.groupby("an")["population"].agg(somme_stricte).rename("population").reset_index()
    agg.insert(0, "entite", SIREN_AGGLO)
    out = pd.concat([f, agg.astype({"entite": "string"})], ignore_index=True)
    return out.sort_values(["entite", "an"], kind="stable").reset_index(drop=True)


def ecarts_depenses_comptes(depenses: pd.DataFrame, finances_communes: pd.DataFrame,
                            finances_agglo: pd.DataFrame | None = None, tolerance_keur: float = 1.0) -> pd.DataFrame:
    """Check that the spending by function adds up to the accounts (docs/TABLES.md): Σ functions of the section
    « fonctionnement » = ``charge`` (communes) / ``cftot`` (agglomeration), « investissement » = ``depinv`` /
    ``eitot``. Returns the entity-years whose gap exceeds ``tolerance_keur`` (k€): ``entite``, ``an``, ``section``,
    ``somme_fonctions_keur``, ``total_comptes_keur``, ``ecart_keur``, ``provenance_comptes``. An empty frame means
    consistent; a missing total is reported with a NaN gap (never treated as 0).
    """
    d = normaliser_depenses(depenses)
    som = d.groupby(["entite", "an", "section"])["montant"].agg(somme_stricte).rename("somme_fonctions_keur")
    parts = []
    fc = finances_communes.rename(columns={"code_insee": "entite"})
    for sec, col in (("fonctionnement", "charge"), ("investissement", "depinv")):
        if col in fc:
            parts.append(fc[["entite", "an", col, "provenance"]].rename(columns={col: "total_comptes_keur"})
                         .assign(section=sec))
    if finances_agglo is not None:
        fa = finances_agglo.rename(columns={"siren": "entite"})
        for sec, col in (("fonctionnement", "cftot"), ("investissement", "eitot")):
            if col in fa:
                parts.append(fa[["entite", "an", col, "provenance"]].rename(columns={col: "total_comptes_keur"})
                             .assign(section=sec))
    tot = pd.concat(parts, ignore_index=True).rename(columns={"provenance": "provenance_comptes"})
    tot["entite"] = tot["entite"].astype("string")
    m = som.reset_index().merge(tot, on=["entite", "an", "section"], how="inner")
    m["ecart_keur"] = m["somme_fonctions_keur"] - m["total_comptes_keur"].astype("float64")
    mauvais = (m["ecart_keur"].abs() > tolerance_keur) | m["ecart_keur"].isna()
    cols = ["entite", "an", "section", "somme_fonctions_keur", "total_comptes_keur", "ecart_keur", "provenance_comptes"]
    return m.loc[mauvais, cols].sort_values(["entite", "an", "section"]).reset_index(drop=True)
