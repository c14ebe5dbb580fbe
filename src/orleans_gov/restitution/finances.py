"""Tables and generated sentences of the financial diagnostic (notebook 01 sections 2–3, the fiche), computed from
:mod:`orleans_gov.analyse.finances`, :mod:`~orleans_gov.analyse.strates` and :mod:`~orleans_gov.analyse.bloc`.

Every table has vocabulary names as columns (:func:`orleans_gov.restitution.tableaux.tableau_termes` gives the
headers and formats); every sentence is computed from the same frames as the tables.
"""
from __future__ import annotations

import pandas as pd

from orleans_gov.analyse.finances import seuils_capacite, tcam
from orleans_gov.analyse.strates import CHAMPS_STRATE
from orleans_gov.base import vocabulaire
from orleans_gov.base.provenance import EXEMPLE, REEL
from orleans_gov.restitution.formats import fmt_eur_hab, fmt_keur, fmt_meur, fmt_nombre, fmt_pct
from orleans_gov.restitution.textes import accorde, compte, dans_phrase, liste, nom, par_entite

SOURCE_COMPTES = "DGFiP, comptes individuels des communes"

COLONNES_INDICATEURS = ("population", "r3_rrf_hab", "r1_drf_hab", "taux_epargne_brute", "epargne_nette",
                        "encours_dette_par_habitant", "capacite_desendettement", "rigidite_charges",
                        "r7_personnel_drf")
RATIOS_LEGAUX = ("r1_drf_hab", "r2_impots_directs_hab", "r3_rrf_hab", "r4_equipement_hab", "r5_dette_hab",
                 "r6_dgf_hab", "r7_personnel_drf", "r9_marge_autofinancement", "r10_equipement_rrf", "r11_dette_rrf")
"""The ratios of art. R.2313-1 CGCT that the accounts allow (ratio 8 needs the potentiel fiscal)."""
COLONNES_BLOC = ("communes_keur", "agglomeration_keur", "flux_internes_keur", "bloc_keur", "bloc_eur_hab",
                 "part_agglomeration_pct")


def _pct(x, decimales: int = 1) -> str:
    """A vocabulary ``%`` value (already in percent)."""
    return fmt_pct(x, decimales, fraction=False)


# ------------------------------------------------------------------------------------------------
# Capacité de désendettement and provenance
# ------------------------------------------------------------------------------------------------
def texte_classe_capacite(classe, an) -> str | None:
    """French reading of a class of :func:`orleans_gov.analyse.finances.classe_capacite` with the thresholds of
    year ``an`` (« satisfaisant (< 8 ans) », « vigilance (8 à 12 ans) », « alerte (> 12 ans) », « non calculable
    (épargne brute ≤ 0) »); None when the class is missing."""
    if classe is None or pd.isna(classe):
        return None
    bas, haut = seuils_capacite(an)
    b, h = fmt_nombre(bas), fmt_nombre(haut)
    return {"satisfaisant": f"satisfaisant (< {b} ans)", "vigilance": f"vigilance ({b} à {h} ans)",
            "alerte": f"alerte (> {h} ans)", "non calculable": "non calculable (épargne brute ≤ 0)"}[str(classe)]


def lecture_capacite(indicateurs: pd.DataFrame) -> pd.Series:
    """The reading of the capacité de désendettement of each row (column ``classe_capacite`` and ``an``), NA when
    unknown."""
    if "classe_capacite" not in indicateurs.columns:
        return pd.Series(pd.NA, index=indicateurs.index, dtype="string")
    return pd.Series([texte_classe_capacite(c, a) for c, a in zip(indicateurs["classe_capacite"], indicateurs["an"])],
                     index=indicateurs.index, dtype="string")


def note_provenance(df: pd.DataFrame, cle: str = "entite") -> str:
    """Short French description of the provenance of the rows shown, for the source lines: which rows are real
    published data and which are sample data (e.g. « Orléans 2013, 2014 : données réelles ; autres : données
    d'exemple »)."""
    if "provenance" not in df.columns or df.empty:
        return "provenance non renseignée"
    reel = df[df["provenance"] == REEL]
    ex = df[df["provenance"] == EXEMPLE]
    if ex.empty:
        return "données réelles publiées"
    if reel.empty:
        return "données d'exemple (synthétiques)"
    morceaux = []
    col = cle if cle in df.columns else ("code_insee" if "code_insee" in df.columns else None)
    if col is not None and "an" in df.columns:
        for e, g in reel.groupby(col, sort=True):
            morceaux.append(f"{nom(str(e))} {', '.join(str(a) for a in sorted(g['an'].unique()))}")
    return ("données réelles : " + "; ".join(morceaux) + " ; autres lignes : données d'exemple (synthétiques)")


# ------------------------------------------------------------------------------------------------
# Tables (vocabulary names as columns)
# ------------------------------------------------------------------------------------------------
def tableau_indicateurs(indicateurs: pd.DataFrame, comparaison: pd.DataFrame | None, an: int) -> pd.DataFrame:
    """One row per entity for year ``an`` (communes by name, then the agglomeration).

    ``indicateurs``: :func:`~orleans_gov.analyse.finances.indicateurs_entites`; ``comparaison``:
    :func:`~orleans_gov.analyse.strates.comparaison_strate` (adds the strata index, 100 = strata mean, of the DRF
    and personnel per inhabitant; the agglomeration has no strata: n.d.).
    """
    d = indicateurs[indicateurs["an"] == an]
    out = d[["entite", *COLONNES_INDICATEURS]].copy()
    if comparaison is not None and len(comparaison):
        c = comparaison[comparaison["an"] == an]
        for champ, col in (("charge", "indice_strate_drf"), ("perso", "indice_strate_personnel")):
            m = c[c["champ"] == champ].set_index("entite")["indice"]
            out[col] = d["entite"].map(m).astype("float64")
    out["lecture_capacite"] = lecture_capacite(d).fillna("n.d.")
    if "provenance" in d:
        out["provenance"] = d["provenance"]
    return par_entite(out).drop(columns="entite")


def tableau_ratios_legaux(indicateurs: pd.DataFrame, an: int) -> pd.DataFrame:
    """The ratios of art. R.2313-1 CGCT of every entity in year ``an`` (ratio 8 not computable)."""
    d = indicateurs[indicateurs["an"] == an]
    return par_entite(d[["entite", *RATIOS_LEGAUX, "provenance"]]).drop(columns="entite")


def tableau_tcam(indicateurs: pd.DataFrame, colonnes: tuple[str, ...], debut: int, fin: int) -> pd.DataFrame:
    """Taux de croissance annuel moyen (:func:`~orleans_gov.analyse.finances.tcam`) of each entity between ``debut``
    and ``fin``, one column per indicator (named by its label; values in % per year)."""
    t = par_entite(tcam(indicateurs, list(colonnes), debut, fin))[[f"tcam_{c}" for c in colonnes]]
    return t.rename(columns={f"tcam_{c}": vocabulaire.libelle(c) for c in colonnes})


def tableau_bloc(bloc: pd.DataFrame, an: int) -> pd.DataFrame:
    """The consolidated bloc communal in year ``an``, one row per indicator (its label); the internal flows written
    « sans objet » for the indicators without flows. Input: :func:`orleans_gov.analyse.bloc.bloc_communal`."""
    b = bloc[bloc["an"] == an].copy()
    b.index = pd.Index([vocabulaire.libelle(i) for i in b["indicateur"]], name=vocabulaire.libelle("indicateur"))
    b["flux_internes_keur"] = [fmt_keur(v) if a else "sans objet"
                               for v, a in zip(b["flux_internes_keur"], b["affecte_par_flux"])]
    return b[[*COLONNES_BLOC, "provenance"]]


def alertes_bloc(bloc: pd.DataFrame) -> list[str]:
    """One sentence per year where the flows table and the agglomeration's fiscalité reversée disagree
    (``attrs['ecarts_flux']`` of :func:`~orleans_gov.analyse.bloc.bloc_communal`)."""
    return [f"{e['an']} : Σ(AC + DSC) de la table des flux = {fmt_keur(e['flux_keur'])} mais la fiscalité reversée "
            f"de l'agglomération = {fmt_keur(e['revtot_keur'])} (écart {fmt_keur(e['ecart_keur'])})"
            for e in bloc.attrs.get("ecarts_flux", [])]


# ------------------------------------------------------------------------------------------------
# Generated sentences
# ------------------------------------------------------------------------------------------------
def _niveau(d: pd.DataFrame, defaut: str) -> pd.Series:
    return d["niveau"] if "niveau" in d else pd.Series(defaut, index=d.index)


def phrases_situation(indicateurs: pd.DataFrame, an: int) -> list[str]:
    """Sentences on the financial situation in year ``an`` computed from
    :func:`~orleans_gov.analyse.finances.indicateurs_entites`; thresholds: the dated parameters of year ``an``."""
    d = indicateurs[(indicateurs["an"] == an)]
    c = d[_niveau(d, "commune") == "commune"]
    out: list[str] = []
    if c.empty:
        return [f"Aucun compte de commune n'est disponible pour {an}."]
    bas, haut = seuils_capacite(an)
    b, h = fmt_nombre(bas), fmt_nombre(haut)
    taux = c.set_index("entite")["taux_epargne_brute"].dropna()
    if len(taux):
        mini, maxi = taux.idxmin(), taux.idxmax()
        out.append(f"En {an}, le {dans_phrase('taux_epargne_brute')} des communes va de {_pct(taux[mini])} "
                   f"({nom(mini)}) à {_pct(taux[maxi])} ({nom(maxi)}) ; la médiane est de {_pct(taux.median())}.")
    negatives = sorted(nom(e) for e in c.loc[c["epargne_brute"] <= 0, "entite"])
    if negatives:
        out.append(f"{compte(len(negatives), 'commune', ('a', 'ont'))} une épargne brute nulle ou négative en {an} "
                   f"({liste(negatives)}) : leur capacité de désendettement n'est pas calculable.")
    cap = c.set_index("entite")["capacite_desendettement"]
    alerte = cap[cap > haut].sort_values(ascending=False)
    vigil = cap[(cap >= bas) & (cap <= haut)]
    if len(alerte):
        out.append(f"{compte(len(alerte), 'commune', ('dépasse', 'dépassent'))} {h} ans de capacité de désendettement (seuil d'alerte) : "
                   + liste([f"{nom(e)} ({fmt_nombre(v, 1)} ans)" for e, v in alerte.items()]) + ".")
    if len(vigil):
        out.append(f"{compte(len(vigil), 'commune', ('est', 'sont'))} dans la zone de vigilance ({b} à {h} ans) : "
                   + liste([f"{nom(e)} ({fmt_nombre(v, 1)} ans)" for e, v in vigil.sort_values().items()]) + ".")
    if not len(alerte) and not len(vigil) and cap.notna().any():
        out.append(f"Toutes les communes dont la capacité est calculable sont sous {b} ans (maximum : "
                   f"{nom(cap.idxmax())}, {fmt_nombre(cap.max(), 1)} ans).")
    manquantes = int(cap.isna().sum()) - len(negatives)
    if manquantes > 0:
        out.append(f"La capacité de désendettement n'est pas disponible pour {compte(manquantes, 'commune')} "
                   f"(données manquantes).")
    a = d[_niveau(d, "") == "agglomération"]
    if len(a):
        r = a.iloc[0]
        cap_a = r["capacite_desendettement"]
        txt = (f"L'agglomération dégage un {dans_phrase('taux_epargne_brute')} de {_pct(r['taux_epargne_brute'])} "
               f"(budget principal et budgets annexes) ; ")
        txt += (f"sa capacité de désendettement est de {fmt_nombre(cap_a, 1)} ans — lecture : "
                f"{texte_classe_capacite(r.get('classe_capacite'), an)}."
                if pd.notna(cap_a) else "sa capacité de désendettement n'est pas calculable.")
        out.append(txt)
    return out


NON_COMPAREE, NON_COMPAREES = "n'a pas été comparée", "n'ont pas été comparées"


def phrases_strate(comparaison: pd.DataFrame, an: int, champ: str = "perso", seuil: float = 5.0,
                   max_noms: int = 5) -> list[str]:
    """Sentences « which commune is above / below its strata on <champ>, by how much » for year ``an``.

    ``comparaison``: :func:`~orleans_gov.analyse.strates.comparaison_strate`. A commune is « above » when its index
    exceeds 100 + ``seuil`` points, « below » under 100 − ``seuil``; communes without a strata mean are counted as
    not compared.
    """
    c = comparaison[(comparaison["an"] == an) & (comparaison["champ"] == champ)]
    lib = dans_phrase(CHAMPS_STRATE[champ]) if champ in CHAMPS_STRATE else champ
    if c.empty:
        return [f"Pas de comparaison à la strate possible pour « {lib} » en {an}."]
    ok = c.dropna(subset=["indice"])
    dessus = ok[ok["indice"] > 100 + seuil].sort_values("indice", ascending=False)
    dessous = ok[ok["indice"] < 100 - seuil].sort_values("indice")
    out = []

    def detail(g: pd.DataFrame) -> str:
        return liste([f"{nom(r.entite)} ({'+' if r.indice >= 100 else '−'}{fmt_nombre(abs(r.indice - 100), 0)} %, "
                      f"{fmt_eur_hab(r.valeur_eur_hab)} contre {fmt_eur_hab(r.moyenne_strate_eur_hab)})"
                      for r in g.head(max_noms).itertuples()])

    debut = (f"En {an}, sur {compte(len(ok), 'commune')} {accorde(len(ok), 'comparée')}, {compte(len(dessus), 'commune', ('dépasse', 'dépassent'))} de plus de {fmt_nombre(seuil)} % "
             f"la moyenne de leur strate pour les {lib}")
    if len(dessus) > max_noms:
        debut += f" ; les {max_noms} plus forts écarts : {detail(dessus)}"
    elif len(dessus):
        debut += f" : {detail(dessus)}"
    out.append(debut + ".")
    if len(dessous):
        suite = f"{compte(len(dessous), 'commune', ('est', 'sont'))} à plus de {fmt_nombre(seuil)} % sous leur strate"
        suite += (f" ; les {max_noms} plus forts écarts : " if len(dessous) > max_noms else " : ") + detail(dessous)
        out.append(suite + ".")
    sans = len(c) - len(ok)
    if sans:
        out.append(f"{compte(sans, 'commune', aucun=False)} sans moyenne de strate disponible pour cette année {accorde(sans, NON_COMPAREE, NON_COMPAREES)}.")
    return out


def phrases_bloc(bloc: pd.DataFrame, an: int) -> list[str]:
    """Sentences on the consolidated bloc communal in year ``an`` (input:
    :func:`~orleans_gov.analyse.bloc.bloc_communal`)."""
    b = bloc[bloc["an"] == an].set_index("indicateur")
    if b.empty:
        return [f"Le bloc communal n'est pas disponible pour {an}."]
    out = []
    if "rrf" in b.index and pd.notna(b.loc["rrf", "bloc_keur"]):
        r = b.loc["rrf"]
        out.append(f"En {an}, le bloc communal (22 communes et agglomération) a perçu {fmt_meur(r['bloc_keur'])} de "
                   f"recettes de fonctionnement consolidées, soit {fmt_eur_hab(r['bloc_eur_hab'])}, après "
                   f"neutralisation de {fmt_meur(r['flux_internes_keur'])} d'attributions de compensation et de DSC "
                   f"versées par l'agglomération ; l'agglomération en perçoit {_pct(r['part_agglomeration_pct'])} "
                   f"avant reversement.")
    formules = {"encours_dette": "porte {p} de l'encours de dette du bloc",
                "equipement": "réalise {p} des dépenses d'équipement du bloc",
                "personnel": "supporte {p} des charges de personnel du bloc"}
    for ind, f in formules.items():
        if ind in b.index and pd.notna(b.loc[ind, "part_agglomeration_pct"]):
            r = b.loc[ind]
            out.append("L'agglomération " + f.format(p=_pct(r["part_agglomeration_pct"]))
                       + f" ({fmt_meur(r['agglomeration_keur'])} sur {fmt_meur(r['bloc_keur'])}).")
    return out
