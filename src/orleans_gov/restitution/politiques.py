"""Tables and generated sentences of the policy diagnostic (notebook 01 sections 4–5), computed from
:mod:`orleans_gov.analyse.politiques`. Columns are vocabulary names (headers and units: ``politiques.yaml``)."""
from __future__ import annotations

import pandas as pd

from orleans_gov.analyse.politiques import competences_par_fonction, depenses_fonction_eur_hab, taux_integration
from orleans_gov.base import vocabulaire
from orleans_gov.base.nomenclatures import A_CONFIRMER, FONCTIONS_M14, NIVEAUX_COMPETENCE, SECTIONS
from orleans_gov.base.provenance import EXEMPLE, REEL
from orleans_gov.restitution.formats import fmt_eur_hab, fmt_meur, fmt_nombre, fmt_pct
from orleans_gov.restitution.textes import nom


def libelle_fonction(code: str, libelle: str | None = None) -> str:
    """« 3 Culture »: an M14 function with its label (``libelle`` when given, else the nomenclature's)."""
    return f"{code} {FONCTIONS_M14.get(code, '') if libelle is None else libelle}".strip()


def matrice_eur_hab(dep_hab: pd.DataFrame, an: int, section: str | None = None,
                    inclure_agglo: bool = False) -> pd.DataFrame:
    """Communes (rows, by name) × M14 functions (columns, « 0 Services généraux »…) in €/hab for one year.

    ``section`` None = fonctionnement + investissement. Input:
    :func:`~orleans_gov.analyse.politiques.depenses_par_habitant`. Missing stays NaN.
    """
    montants = depenses_fonction_eur_hab(dep_hab, an, section, inclure_agglo)
    m = montants.pivot(index="entite", columns="fonction", values="eur_hab").astype("float64")
    m = m.reindex(columns=sorted(m.columns))
    m.index = [nom(e) for e in m.index]
    m.columns = [libelle_fonction(f) for f in m.columns]
    m.index.name = vocabulaire.libelle("entite")
    return m


def tableau_ecarts(ecarts: pd.DataFrame) -> pd.DataFrame:
    """The entity-years whose spending by function does not add up to the accounts
    (:func:`~orleans_gov.analyse.politiques.ecarts_depenses_comptes`), by entity name."""
    e = ecarts.set_index(ecarts["entite"].map(nom).rename(vocabulaire.libelle("entite")))
    return e[["section", "somme_fonctions_keur", "total_comptes_keur", "ecart_keur", "provenance_comptes"]]


def tableau_integration(depenses: pd.DataFrame, an: int, exemple: bool) -> pd.DataFrame:
    """Agglomeration's share of the block's spending by policy (both sections, then each section)."""
    par_section = {s: taux_integration(depenses, an, section=s).set_index("fonction") for s in SECTIONS}
    t = taux_integration(depenses, an).set_index("fonction")
    out = pd.DataFrame({
        "communes_keur": t["communes_keur"].values, "agglomeration_keur": t["agglomeration_keur"].values,
        "taux_integration": t["taux_integration_pct"].values,
        **{f"taux_integration_{s}": par_section[s]["taux_integration_pct"].reindex(t.index).values
           for s in SECTIONS},
    }, index=pd.Index([libelle_fonction(f, l) if f != "Total" else l for f, l in zip(t.index, t["libelle_fonction"])],
                      name=vocabulaire.libelle("politique")))
    out["provenance"] = EXEMPLE if exemple else REEL
    return out


def tableau_centralite(centralite: pd.DataFrame, exemple: bool) -> pd.DataFrame:
    """Charges de centralité by policy (:func:`~orleans_gov.analyse.politiques.charges_centralite`)."""
    c = centralite.rename(columns={"ecart_eur_hab": "ecart_centre_eur_hab", "ratio": "ratio_centralite"})
    c.index = pd.Index([libelle_fonction(f, l) for f, l in zip(c["fonction"], c["libelle_fonction"])],
                       name=vocabulaire.libelle("politique"))
    c = c[["centre_eur_hab", "moyenne_ponderee_autres_eur_hab", "moyenne_autres_eur_hab", "ecart_centre_eur_hab",
           "ratio_centralite", "surcout_keur"]].copy()
    c["provenance"] = EXEMPLE if exemple else REEL
    return c


def tableau_competences(mc: pd.DataFrame) -> pd.DataFrame:
    """The competence matrix (:func:`~orleans_gov.analyse.politiques.matrice_competences`) by domain, « — » where a
    value is missing."""
    niveaux = list(NIVEAUX_COMPETENCE.values())
    t = mc.assign(fonction_m14=[libelle_fonction(f, l) for f, l in zip(mc["fonction_m14"],
                                                                      mc["libelle_fonction"].fillna(""))])
    t = t.set_index("domaine")[["fonction_m14", *niveaux, "depuis", "base_legale", "statut"]]
    t = t.rename(columns={"statut": "statut_competence"})
    t.index.name = vocabulaire.libelle("domaine_competence")
    return t.fillna("—")


def tableau_competences_par_fonction(competences: pd.DataFrame, depenses: pd.DataFrame, an: int) -> pd.DataFrame:
    """Count of competence lines by M14 function and level, next to the taux d'intégration of year ``an`` (a
    function without any competence line: 0 line)."""
    cpf = competences_par_fonction(competences).set_index("fonction_m14").drop(columns="libelle_fonction")
    cpf = cpf.reindex(list(FONCTIONS_M14)).fillna(0).astype(int)
    integ = taux_integration(depenses, an).set_index("fonction")[["taux_integration_pct"]]
    cpf = cpf.join(integ.rename(columns={"taux_integration_pct": "taux_integration"}), how="left")
    cpf.index = pd.Index([libelle_fonction(f) for f in cpf.index], name=vocabulaire.libelle("fonction_m14"))
    return cpf


def phrase_competences(mc: pd.DataFrame) -> str:
    """How many lines of the competence matrix remain « à confirmer »."""
    a_confirmer = int((mc["statut"] == A_CONFIRMER).sum())
    return f"Sur {len(mc)} lignes de la matrice des compétences, {a_confirmer} restent « à confirmer » sur les statuts."


def phrases_politiques(integration: pd.DataFrame, centralite: pd.DataFrame, an: int,
                       nom_centre: str = "Orléans") -> list[str]:
    """Sentences computed from :func:`~orleans_gov.analyse.politiques.taux_integration` and
    :func:`~orleans_gov.analyse.politiques.charges_centralite` for year ``an``."""
    out: list[str] = []
    t = integration[integration["fonction"] != "Total"].dropna(subset=["taux_integration_pct"])
    tot = integration[integration["fonction"] == "Total"]
    if len(tot) and pd.notna(tot["taux_integration_pct"].iloc[0]):
        out.append(f"En {an}, l'agglomération porte {fmt_pct(tot['taux_integration_pct'].iloc[0], 1, fraction=False)} "
                   f"des dépenses du bloc communal ventilées par fonction ({fmt_meur(tot['agglomeration_keur'].iloc[0])} "
                   f"sur {fmt_meur(tot['total_keur'].iloc[0])}).")
    if len(t):
        t = t.sort_values("taux_integration_pct", ascending=False)
        hauts = t.head(2)
        bas = t[t["taux_integration_pct"] < 5]
        out.append("Les politiques les plus intégrées sont : "
                   + " ; ".join(f"{r.libelle_fonction.lower()} ({fmt_pct(r.taux_integration_pct, 0, fraction=False)})"
                                for r in hauts.itertuples()) + ".")
        if len(bas):
            out.append("Restent quasi exclusivement communales (moins de 5 % portés par l'agglomération) : "
                       + ", ".join(r.libelle_fonction.lower() for r in bas.itertuples()) + ".")
    c = centralite.dropna(subset=["ratio"])
    if len(c):
        c = c.sort_values("ecart_eur_hab", ascending=False)
        fortes = c[c["ratio"] > 1.2].head(3)
        if len(fortes):
            out.append(f"Charges de centralité : {nom_centre} dépense nettement plus par habitant que le reste du "
                       "territoire en " + " ; ".join(
                           f"{r.libelle_fonction.lower()} ({fmt_eur_hab(r.centre_eur_hab)} contre "
                           f"{fmt_eur_hab(r.moyenne_ponderee_autres_eur_hab)}, × {fmt_nombre(r.ratio, 1)}, "
                           f"soit environ {fmt_meur(r.surcout_keur)} de plus qu'à dépense par habitant égale)"
                           for r in fortes.itertuples()) + ".")
        total = c["surcout_keur"].where(c["surcout_keur"] > 0).sum(min_count=1)
        if pd.notna(total):
            de = f"d'{nom_centre}" if nom_centre[:1].lower() in "aeéèêiîoôuy" else f"de {nom_centre}"
            out.append(f"Au total, l'écart positif {de} sur les fonctions où elle dépense plus représente "
                       f"environ {fmt_meur(total)} : un ordre de grandeur des charges de centralité, pas une "
                       "évaluation de CLECT.")
    return out



def communes_population(ctx) -> pd.DataFrame:
    """The map of the 22 communes (``ctx.perimetre``) with their population of the year and its status."""
    t = ctx.territoire
    pop = t[(t["an"] == ctx.annee) & (t["niveau"] == "commune")]
    return ctx.perimetre.merge(pop[["code_insee", "population", "statut_population"]], on="code_insee", how="left")


def numeros_carte(communes: pd.DataFrame) -> dict[str, int]:
    """Number of each commune on the perimeter map: its rank by decreasing population (ties by name)."""
    c = communes.sort_values(["population", "nom"], ascending=[False, True], kind="stable")
    return {n: i for i, n in enumerate(c["nom"], 1)}


def tableau_population(ctx) -> pd.DataFrame:
    """The member communes by decreasing population in the year (table ``territoire``), with their number on the
    map (:func:`numeros_carte`): the map's legend."""
    communes = communes_population(ctx)
    c = communes[["nom", "population", "statut_population"]].sort_values(["population", "nom"],
                                                                       ascending=[False, True], kind="stable")
    c.insert(0, "numero_carte", c["nom"].map(numeros_carte(communes)))
    return c.set_index(pd.Index(c["nom"], name=vocabulaire.libelle("commune"))).drop(columns="nom")
