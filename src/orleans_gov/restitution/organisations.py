"""Tables and generated sentences of the organisation comparison (notebook 02), computed from
:mod:`orleans_gov.analyse.organisations`. Columns are vocabulary names (headers and units: ``organisations.yaml``).

The analysis returns shares as fractions (0–1): :data:`FRACTIONS` names them for the tables (shown in %).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.analyse.organisations import duplications_fonctions_support, police_pour_1000
from orleans_gov.base import vocabulaire
from orleans_gov.base.territoire import SIREN_AGGLO
from orleans_gov.restitution.formats import fmt_keur, fmt_nombre, fmt_pct
from orleans_gov.restitution.tableaux import format_terme
from orleans_gov.restitution.textes import accorde, compte, entete_annee

FRACTIONS = ("part_contractuels", "part_personnel_charges")
"""Shares returned as fractions (0–1) by :func:`~orleans_gov.analyse.organisations.indicateurs_personnel`."""
COLONNES_PERSONNEL = ("population", "effectif", "etp", "etp_pour_1000_hab", "part_contractuels", "cout_par_etp",
                      "charges_personnel", "part_personnel_charges")
NOTE_EXEMPLE = " *(Données d'exemple.)*"


def _note(exemple: bool) -> str:
    return NOTE_EXEMPLE if exemple else ""


def tableau_personnel(ctx) -> pd.DataFrame:
    """Staff, cost and weight of personnel of every entity (communes by decreasing population, then the
    agglomeration). ``ctx``: :class:`~orleans_gov.restitution.chargement.ContexteOrganisations`."""
    t = ctx.indicateurs.set_index("entite").loc[ctx.ordre]
    t = t.set_index(pd.Index(t["nom"], name=vocabulaire.libelle("entite")))
    return t[[*COLONNES_PERSONNEL, "provenance"]]


def phrase_effectifs(ctx) -> str:
    """The communes' staff, the range of their taux d'administration and the agglomeration's staff."""
    communes = ctx.comparaison[ctx.comparaison["niveau"] == "commune"]
    ag = ctx.comparaison[ctx.comparaison["entite"] == SIREN_AGGLO]
    tot_c = communes.iloc[0]
    plus = communes.loc[communes["etp_pour_1000_hab"].idxmax()]
    moins = communes.loc[communes["etp_pour_1000_hab"].idxmin()]
    texte = (f"En {ctx.annee}, les 22 communes emploient ensemble **{fmt_nombre(communes['etp'].sum(), 0)} ETP**, soit "
             f"**{fmt_nombre(tot_c['etp_pour_1000_hab_communes'], 1)} ETP pour 1 000 habitants**, pour un coût moyen de "
             f"{fmt_nombre(tot_c['cout_par_etp_communes'])} € par ETP. Le taux d'administration va de "
             f"{fmt_nombre(moins['etp_pour_1000_hab'], 1)} ({moins['nom']}) à {fmt_nombre(plus['etp_pour_1000_hab'], 1)} "
             f"ETP pour 1 000 habitants ({plus['nom']}).")
    if len(ag):
        a = ag.iloc[0]
        texte += (f" L'agglomération emploie {fmt_nombre(a['etp'], 0)} ETP, soit "
                  f"{fmt_nombre(a['etp_pour_1000_hab'], 1)} pour 1 000 habitants du territoire : le bloc communal "
                  f"compte au total {fmt_nombre((communes['etp'].sum() + a['etp']) * 1000 / a['population'], 1)} ETP "
                  "pour 1 000 habitants.")
    return texte + _note(ctx.exemple)


def tableau_strate(ctx) -> pd.DataFrame:
    """Each commune against the communes of the perimeter in the same DGFiP band (index 100 = the band)."""
    communes = ctx.comparaison[ctx.comparaison["niveau"] == "commune"]
    t = communes.set_index("entite").loc[[e for e in ctx.ordre if e != SIREN_AGGLO]]
    out = t.set_index(pd.Index(t["nom"], name=vocabulaire.libelle("commune")))[
        ["strate_dgfip", "nb_strate", "etp_pour_1000_hab", "etp_pour_1000_hab_strate",
         "indice_etp_pour_1000_hab_strate", "cout_par_etp", "indice_cout_par_etp_strate", "provenance"]].copy()
    out["strate_dgfip"] = out["strate_dgfip"].str.replace("communes de ", "")
    out["nb_strate"] = out["nb_strate"].map(lambda n: "seule" if n == 1 else fmt_nombre(n))
    return out


def phrase_structure(ctx) -> str:
    """Shares of the catégories A, B, C and of the contractuels in the bloc's FTE."""
    eff = ctx.effectifs
    tot_cat = eff.groupby(["categorie"])["etp"].sum()
    tot_stat = eff.groupby(["statut"])["etp"].sum()
    e_all = eff["etp"].sum()
    return (f"Sur l'ensemble du bloc communal, la catégorie C représente {fmt_pct(tot_cat.get('C', np.nan) / e_all)} "
            f"des ETP, la catégorie B {fmt_pct(tot_cat.get('B', np.nan) / e_all)} et la catégorie A "
            f"{fmt_pct(tot_cat.get('A', np.nan) / e_all)} ; les contractuels "
            f"{fmt_pct(tot_stat.get('contractuel', np.nan) / e_all)}." + _note(ctx.exemple))


def duplications(ctx) -> pd.DataFrame:
    """:func:`~orleans_gov.analyse.organisations.duplications_fonctions_support` of the year analysed."""
    return duplications_fonctions_support(ctx.support)


def tableau_duplications(dup: pd.DataFrame) -> pd.DataFrame:
    """Each support function: in how many communes, at the agglomeration, FTE and cost on each side."""
    t = dup.rename(columns={"nb_communes": "communes_avec_fonction", "agglomeration": "agglomeration_avec_fonction"})
    t["agglomeration_avec_fonction"] = t["agglomeration_avec_fonction"].map({True: "oui", False: "non"})
    t = t.set_index(pd.Index(t["fonction_support"], name=vocabulaire.libelle("fonction_support")))
    return t[["communes_avec_fonction", "agglomeration_avec_fonction", "etp_communes", "etp_agglomeration",
              "etp_total", "cout_communes", "cout_agglomeration", "cout_total", "etp_moyen_par_commune"]]


def phrase_non_renseignes(dup: pd.DataFrame) -> str | None:
    n = int(dup["nb_non_renseigne"].sum())
    return f"{compte(n, 'réponse', aucun=False)} non {accorde(n, 'renseignée')} : {accorde(n, 'comptée')} comme {accorde(n, 'inconnue')}, pas comme {accorde(n, 'nulle')}." if n else None


def phrase_doublons(dup: pd.DataFrame, exemple: bool) -> str:
    """How many support functions exist everywhere, the heaviest one in the communes, the bloc's total."""
    top = dup.sort_values("etp_communes", ascending=False).iloc[0]
    n_toutes = int((dup["nb_entites"] == 23).sum())
    return (f"Sur {len(dup)} fonctions support, {compte(n_toutes, 'fonction', ('existe', 'existent'))} à la fois "
            f"dans les 22 communes et à l'agglomération. La plus lourde dans les communes est « {top['fonction_support']} » : "
            f"{fmt_nombre(top['etp_communes'], 1)} ETP répartis entre {compte(int(top['nb_communes']), 'commune')} "
            f"({fmt_keur(top['cout_communes'])}), à côté de {fmt_nombre(top['etp_agglomeration'], 1)} ETP à "
            f"l'agglomération. Les ETP de fonctions support de l'ensemble du bloc communal s'élèvent à "
            f"{fmt_nombre(dup['etp_total'].sum(), 1)} ETP ({fmt_keur(dup['cout_total'].sum())})." + _note(exemple))


def tableau_competences_exercees(ctx) -> pd.DataFrame:
    """The competences each entity declares it exercises, against the sourced competence table."""
    comp = ctx.competences_exercees
    ref = ctx.competences[["domaine", "niveau"]].drop_duplicates("domaine")
    c_comm = comp[comp["entite"] != SIREN_AGGLO].groupby("domaine")["exercee"].agg(
        oui=lambda s: int((s == True).sum()), repondu=lambda s: int(s.notna().sum()))  # noqa: E712 - nullable
    c_ag = comp[comp["entite"] == SIREN_AGGLO].set_index("domaine")["exercee"]
    t = ref.set_index("domaine").join(c_comm, how="left")
    t["exercee_agglomeration"] = c_ag.reindex(t.index).map({True: "oui", False: "non"}).fillna("n.d.")
    t["communes_exercant"] = [f"{int(o)} sur {int(r)}" if pd.notna(r) and r else "n.d."
                              for o, r in zip(t["oui"], t["repondu"])]
    t = t.rename(columns={"niveau": "repartition_documentee"})
    t.index.name = vocabulaire.libelle("domaine_competence")
    return t[["repartition_documentee", "communes_exercant", "exercee_agglomeration"]]


def tableau_police(police: pd.DataFrame, annees=(2013, 2016, 2019, 2023)) -> tuple[pd.DataFrame, dict]:
    """Police municipale agents of each commune for some years and per 1 000 inhabitants the last year, with the
    formats of its columns (input: the ``police_municipale`` table)."""
    pol = police_pour_1000(police)
    pol_c = pol[pol["entite"] != SIREN_AGGLO]
    an_max = int(pol["an"].max())
    pv = pol_c.pivot_table(index="nom", columns="an", values="agents_police", aggfunc="first")
    pv = pv[[a for a in annees if a in pv.columns]]
    pv.columns = [entete_annee("agents_police", a) for a in pv.columns]
    derniere = entete_annee("agents_police_pour_1000", an_max)
    pv[derniere] = pol_c[pol_c["an"] == an_max].set_index("nom")["agents_pour_1000_hab"]
    pv.index.name = vocabulaire.libelle("commune")
    formats = {c: format_terme("agents_police") for c in pv.columns[:-1]}
    formats[derniere] = format_terme("agents_police_pour_1000")
    return pv.sort_values(derniere, ascending=False), formats


def phrase_police_transports(police: pd.DataFrame) -> str | None:
    """The agglomeration's (métropole's) transport police, when the survey lists it (input: the
    ``police_municipale`` table)."""
    pol = police_pour_1000(police)
    tp = pol[pol["entite"] == SIREN_AGGLO]
    if not len(tp):
        return None
    t0 = tp.iloc[0]
    return (f"En {int(t0['an'])}, la police intercommunale des transports d'Orléans Métropole compte "
            f"{fmt_nombre(t0['agents_police'])} agents, pour un territoire de {fmt_nombre(t0['population'])} habitants "
            f"déclaré dans l'enquête ({fmt_nombre(t0['agents_pour_1000_hab'], 2)} pour 1 000 habitants).")
