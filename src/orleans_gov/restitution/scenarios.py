"""French tables, charts and generated sentences for the scenario notebook (03_scenarios_financiers).

Thin presentation layer over :mod:`.moteur` and :mod:`.sensibilite`, in the house style of
:mod:`orleans_gov.restitution.presentation` (French numbers, source line and sample mark under every chart).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.restitution.presentation import (COULEUR_ACCENT, COULEUR_PRINCIPALE, PALETTE, fmt_keur, fmt_meur, fmt_nombre, fmt_pct,
                            formateur_axe, legende_figure)
from orleans_gov.base.territoire import CODES_INSEE, ENTITES, SIREN_AGGLO, nom_entite
from orleans_gov.scenarios.moteur import BLOC, Resultat, comparer
from orleans_gov.scenarios.schema import PacteFinancier, Scenario, ServiceCommun, Transfert
from orleans_gov.scenarios.sensibilite import MonteCarlo

SOURCE = ("DGFiP (comptes individuels), flux AC/DSC, dépenses par fonction, classeurs de collecte ; "
          "projection orleans_gov")


def nom(entite: str) -> str:
    return "Bloc communal" if entite == BLOC else nom_entite(entite)


def millesime(sc: Scenario) -> str:
    return f"comptes {sc.annee_reference}, projection {sc.debut}–{sc.fin}"


# ---------------------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------------------

def tableau_hypotheses(sc: Scenario) -> pd.DataFrame:
    """The assumptions of a scenario, one line each, in French."""
    h = sc.hypotheses
    lignes = []
    libelles = {"fiscalite": "Impôts locaux (bases, taux constants)", "dgf": "DGF",
                "autres_recettes": "Autres recettes de fonctionnement", "personnel": "Charges de personnel",
                "autres_charges": "Autres charges de fonctionnement"}
    for niv, lib_niv in (("communes", "communes"), ("agglomeration", "agglomération")):
        for f, lib in libelles.items():
            taux = h.croissance[niv][f]
            valeurs = sorted(set(taux.values()))
            texte = (fmt_pct(valeurs[0], 1) + " par an" if len(valeurs) == 1 else
                     " ; ".join(f"{a} : {fmt_pct(t, 1)}" for a, t in taux.items()))
            lignes.append({"hypothèse": f"{lib} — {lib_niv}", "valeur": texte})
    di = h.dotation_intercommunalite
    lignes += [
        {"hypothèse": "DSC de référence", "valeur": f"{fmt_pct(h.croissance_dsc, 1)} par an"},
        {"hypothèse": "Emprunts nouveaux", "valeur": f"taux {fmt_pct(h.emprunts.taux_interet, 2)}, "
                                                      f"{h.emprunts.duree_annees} ans, amortissement linéaire"},
        {"hypothèse": "Programme d'équipement", "valeur":
            f"niveau {sc.annee_reference}, évolution communes {fmt_pct(h.investissement.croissance['communes'], 1)}, "
            f"agglomération {fmt_pct(h.investissement.croissance['agglomeration'], 1)} par an"
            + (f" ; programme explicite pour {len(h.investissement.programme)} entité(s)"
               if h.investissement.programme else "")},
        {"hypothèse": "Recettes d'investissement hors emprunt", "valeur":
            "part de l'équipement observée en " + str(sc.annee_reference)
            if h.investissement.recettes_pct["communes"] is None else
            f"{fmt_pct(h.investissement.recettes_pct['communes'], 0)} (communes), "
            f"{fmt_pct(h.investissement.recettes_pct['agglomeration'] or 0, 0)} (agglomération)"},
        {"hypothèse": "Coût moyen d'un ETP", "valeur": fmt_keur(h.cout_moyen_etp_keur)},
        {"hypothèse": "Dotation d'intercommunalité (règle simplifiée)", "valeur":
            f"{fmt_nombre(di.valeur_point_eur_hab)} €/hab. × CIF / {fmt_nombre(di.cif_moyen_categorie, 2)} "
            f"(CIF moyen des communautés d'agglomération), CIF constaté {di.decalage_annees} an(s) plus tôt"},
        {"hypothèse": "CIF : part de la DSC déduite", "valeur": fmt_pct(di.part_dsc_cif, 0)
         + " (art. L.5211-30 CGCT, rédaction LFI 2005)"},
    ]
    return pd.DataFrame(lignes)


def tableau_actions(sc: Scenario) -> pd.DataFrame:
    """One line per action: what moves, from when."""
    lignes = []
    for i, a in enumerate(sc.actions):
        if isinstance(a, Transfert):
            communes = "les 22 communes" if len(a.communes) == 22 else ", ".join(nom_entite(c) for c in a.communes)
            lignes.append({"action": f"Transfert de compétence ({a.annee})", "objet": a.competence,
                           "détail": f"{communes} → agglomération ; fonction M14 {a.fonction_m14} ; CLECT : "
                                     f"moyenne sur {a.annees_moyenne} an(s), équipement « {a.methode_equipement} », "
                                     f"recettes liées {fmt_pct(a.recettes_liees_pct, 0)} ; personnel "
                                     f"{fmt_pct(a.part_personnel, 0)} du coût"})
        elif isinstance(a, ServiceCommun):
            origine = (f"fonctions {', '.join(a.fonctions_support)} (classeurs de collecte)" if a.fonctions_support
                       else "part de la fonction M14 0")
            lignes.append({"action": f"Service commun ({a.annee})", "objet": a.nom,
                           "détail": f"{origine} ; agglomération + {len(a.communes)} commune(s) : "
                                     f"{', '.join(nom_entite(c) for c in a.communes)} ; clé « {a.cle_repartition} » ; "
                                     f"financement « {a.financement.replace('_', ' ')} » ; économies "
                                     f"{fmt_nombre(a.economies_etp, 1)} ETP à partir de {a.economies_a_partir_de}"})
        elif isinstance(a, PacteFinancier):
            morceaux = []
            if a.dsc_montant_keur is not None:
                crit = ", ".join(f"{k.replace('_', ' ')} {fmt_pct(v, 0)}" for k, v in a.criteres.items())
                morceaux.append(f"DSC {fmt_keur(a.dsc_montant_keur)} par an ({crit})")
            for t in a.taux:
                qui = "communes" if len(t.entites) == 22 else ", ".join(nom(e) for e in t.entites)
                morceaux.append(f"taux {qui} {fmt_pct(t.variation, 1)} en {t.annee}")
            lignes.append({"action": f"Pacte financier ({a.annee})", "objet": "Pacte financier et fiscal",
                           "détail": " ; ".join(morceaux)})
    return pd.DataFrame(lignes, columns=["action", "objet", "détail"])


def tableau_entites(res: Resultat, annees: list[int]) -> pd.DataFrame:
    """Key indicators per entity for the given years (k€, years)."""
    L = res.long
    lignes = []
    for e in list(ENTITES) + [BLOC]:
        d = L[L.entite == e]
        ligne = {"entité": nom(e)}
        for a in annees:
            x = d[d.annee == a].set_index("indicateur")["valeur"]
            ligne[f"épargne brute {a}"] = x.get("epargne_brute", np.nan)
            ligne[f"taux d'ép. brute {a}"] = x.get("taux_epargne_brute", np.nan)
            ligne[f"encours {a}"] = x.get("encours_dette", np.nan)
            ligne[f"capacité de désendettement {a}"] = x.get("capacite_desendettement", np.nan)
        lignes.append(ligne)
    return pd.DataFrame(lignes)


def formats_entites(annees: list[int]) -> dict:
    f = {}
    for a in annees:
        f[f"épargne brute {a}"] = "keur"
        f[f"taux d'ép. brute {a}"] = ("pct", 1)
        f[f"encours {a}"] = "keur"
        f[f"capacité de désendettement {a}"] = lambda x: "non calculable" if pd.isna(x) else \
            f"{fmt_nombre(x, 1)}\u00a0ans"
    return f


def tableau_effets_communes(res: Resultat, ref: Resultat) -> pd.DataFrame:
    """Effect of a scenario per commune and for the agglomeration and the bloc: AC, épargne brute (first year
    of effect and end of horizon), épargne nette cumulée, encours at the end, FTE."""
    sc = res.scenario
    ec = comparer(res, ref)
    horizon = list(range(sc.debut, sc.fin + 1))
    premiere = min((a.annee for a in sc.actions), default=sc.debut)
    lignes = []
    for e in list(ENTITES) + [BLOC]:
        d = ec[ec.entite == e]
        def v(ind, an):
            s = d[(d.indicateur == ind) & (d.annee == an)]["ecart"]
            return float(s.iloc[0]) if len(s) else np.nan
        lignes.append({
            "entité": nom(e),
            f"AC {sc.fin} (k€)": float(res.long[(res.long.entite == e) & (res.long.indicateur ==
                                        "attribution_compensation") & (res.long.annee == sc.fin)]["valeur"].sum())
            if e != BLOC else np.nan,
            f"Δ AC {sc.fin}": v("attribution_compensation", sc.fin) if e != BLOC else np.nan,
            f"Δ épargne brute {premiere}": v("epargne_brute", premiere),
            f"Δ épargne brute {sc.fin}": v("epargne_brute", sc.fin),
            f"Δ épargne nette cumulée {sc.debut}–{sc.fin}":
                float(d[(d.indicateur == "epargne_nette") & d.annee.isin(horizon)]["ecart"].sum()),
            f"Δ encours {sc.fin}": v("encours_dette", sc.fin),
            f"Δ position financière nette {sc.fin}": position_nette(ec, e, sc),
            f"Δ ETP {sc.fin}": v("etp", sc.fin),
        })
    return pd.DataFrame(lignes)


def position_nette(ecarts: pd.DataFrame, entite: str | list[str], sc: Scenario) -> float:
    """Δ net financial position at the end of the horizon = − Δ encours de dette + Σ Δ excédents affectés au
    fonds de roulement (k€). Positive = the entity ends richer (less debt or more reserves) than without action:
    the right measure when a transfer moves investment as well as operating costs."""
    ents = [entite] if isinstance(entite, str) else entite
    d = ecarts[ecarts.entite.isin(ents)]
    dette = float(d[(d.indicateur == "encours_dette") & (d.annee == sc.fin)]["ecart"].sum())
    fr = float(d[(d.indicateur == "variation_fonds_roulement") & d.annee.between(sc.debut, sc.fin)]["ecart"].sum())
    return -dette + fr


def formats_effets(df: pd.DataFrame) -> dict:
    return {c: (("nombre", 1) if "ETP" in c else "keur") for c in df.columns if c != "entité"}


def tableau_agglo_annuel(res: Resultat, ref: Resultat) -> pd.DataFrame:
    """Year-by-year differences for the agglomeration and the bloc (k€), plus CIF and dotation."""
    sc = res.scenario
    ec = comparer(res, ref)
    annees = list(range(sc.debut, sc.fin + 1))
    lignes = []
    for e, ind, lib in ((SIREN_AGGLO, "recettes_reelles_fonctionnement", "Agglomération — Δ RRF (k€)"),
                        (SIREN_AGGLO, "depenses_reelles_fonctionnement", "Agglomération — Δ DRF (k€)"),
                        (SIREN_AGGLO, "epargne_brute", "Agglomération — Δ épargne brute (k€)"),
                        (SIREN_AGGLO, "emprunt", "Agglomération — Δ emprunt (k€)"),
                        (SIREN_AGGLO, "dotation_intercommunalite", "Agglomération — Δ dotation d'intercommunalité (k€)"),
                        (BLOC, "epargne_brute", "Communes (22) — Δ épargne brute (k€)"),
                        (BLOC, "epargne_nette", "Bloc communal — Δ épargne nette (k€)"),
                        (BLOC, "encours_dette", "Bloc communal — Δ encours (k€)")):
        if lib.startswith("Communes"):
            d = ec[ec.entite.isin(CODES_INSEE) & (ec.indicateur == ind)].groupby("annee")["ecart"].sum()
        else:
            d = ec[(ec.entite == e) & (ec.indicateur == ind)].set_index("annee")["ecart"]
        lignes.append({"indicateur": lib, **{str(a): d.get(a, np.nan) for a in annees}})
    return pd.DataFrame(lignes)


def tableau_cif(res: Resultat, ref: Resultat) -> pd.DataFrame:
    """CIF and dotation d'intercommunalité of the agglomeration, scenario and without action, by year."""
    sc = res.scenario
    annees = list(range(sc.annee_reference, sc.fin + 1))
    lignes = []
    for ind, lib in (("cif", "CIF"), ("dotation_intercommunalite", "dotation d'intercommunalité (k€)")):
        for nom_l, r in (("scénario", res), ("sans action", ref)):
            d = r.long[(r.long.entite == SIREN_AGGLO) & (r.long.indicateur == ind)].set_index("annee")["valeur"]
            lignes.append({"indicateur": f"{lib} — {nom_l}", **{str(a): d.get(a, np.nan) for a in annees}})
    return pd.DataFrame(lignes)


def formats_cif(df: pd.DataFrame) -> dict:
    def f(x):
        return fmt_nombre(x, 3) if pd.notna(x) and abs(x) < 1.5 else fmt_nombre(x)
    return {c: f for c in df.columns if c != "indicateur"}


def formats_agglo_annuel(df: pd.DataFrame) -> dict:
    return {c: "nombre" for c in df.columns if c != "indicateur"}


def tableau_comparaison(synthese: pd.DataFrame) -> pd.DataFrame:
    """French labels for :func:`moteur.synthese_comparaison`."""
    renommer = {
        "scenario": "scénario",
        "epargne_nette_cumulee_bloc": "épargne nette cumulée — bloc (k€)",
        "epargne_nette_cumulee_communes": "épargne nette cumulée — communes (k€)",
        "epargne_nette_cumulee_agglo": "épargne nette cumulée — agglomération (k€)",
        "emprunts_cumules_bloc": "emprunts cumulés — bloc (k€)",
        "encours_fin_bloc": "encours fin — bloc (k€)",
        "capacite_desendettement_fin_bloc": "capacité de désendettement fin — bloc (ans)",
        "capacite_desendettement_fin_agglo": "capacité de désendettement fin — agglomération (ans)",
        "cif_fin": "CIF fin d'horizon",
        "dotation_intercommunalite_fin": "dotation d'intercommunalité fin (k€)",
        "etp_agglo_fin": "ETP agglomération fin",
        "etp_bloc_fin": "ETP bloc fin",
    }
    return synthese.rename(columns=renommer)


def tableau_comparaison_transpose(synthese: pd.DataFrame) -> pd.DataFrame:
    """Indicators in rows, scenarios in columns, values written in French (each row has its own unit)."""
    t = tableau_comparaison(synthese).set_index("scénario")
    f = formats_comparaison(t.reset_index())
    out = pd.DataFrame(index=t.columns)
    for sc_nom in t.index:
        col = []
        for ind in t.columns:
            x = t.at[sc_nom, ind]
            spec = f.get(ind)
            if spec == "keur":
                col.append(fmt_keur(x))
            elif isinstance(spec, tuple):
                col.append(fmt_nombre(x, spec[1]))
            elif callable(spec):
                col.append(spec(x))
            else:
                col.append(fmt_nombre(x))
        out[sc_nom] = col
    out.index.name = "indicateur"
    return out


def formats_comparaison(df: pd.DataFrame) -> dict:
    f = {}
    for c in df.columns:
        if "(k€)" in c:
            f[c] = "keur"
        elif "(ans)" in c:
            f[c] = lambda x: "non calculable" if pd.isna(x) else f"{fmt_nombre(x, 1)}\u00a0ans"
        elif "CIF" in c:
            f[c] = ("nombre", 3)
        elif "ETP" in c:
            f[c] = ("nombre", 0)
    return f


# ---------------------------------------------------------------------------------------------------------
# charts
# ---------------------------------------------------------------------------------------------------------

def _serie(res: Resultat, entite: str | list[str], ind: str) -> pd.Series:
    L = res.long
    if isinstance(entite, list):
        return L[L.entite.isin(entite) & (L.indicateur == ind)].groupby("annee")["valeur"].sum()
    return L[(L.entite == entite) & (L.indicateur == ind)].set_index("annee")["valeur"]


def fig_trajectoire(res: Resultat, exemple: bool):
    """Baseline: épargne brute and nette of the communes (sum), the agglomeration and the bloc; debt and
    capacité de désendettement of the bloc."""
    import matplotlib.pyplot as plt
    sc = res.scenario
    fig, axes = plt.subplots(1, 2, figsize=(12, 6.2))
    ax = axes[0]
    for (ent, lib), coul in zip(((list(CODES_INSEE), "22 communes"), (SIREN_AGGLO, "Agglomération"),
                                 (BLOC, "Bloc communal")), PALETTE):
        ax.plot(_serie(res, ent, "epargne_brute") / 1000, color=coul, lw=2.2, label=f"{lib} — épargne brute")
        ax.plot(_serie(res, ent, "epargne_nette") / 1000, color=coul, lw=1.6, ls="--",
                label=f"{lib} — épargne nette")
    ax.axhline(0, color="#444", lw=0.8)
    ax.set_title("Épargne brute (trait plein) et nette (tirets)")
    ax.yaxis.set_major_formatter(formateur_axe(0, " M€"))
    ax.xaxis.set_major_formatter(formateur_axe(0, milliers=False))
    ax.legend(fontsize=8.5, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.08))
    ax = axes[1]
    enc = _serie(res, BLOC, "encours_dette") / 1000
    ax.bar(enc.index, enc.values, color=PALETTE[4], alpha=0.7, label="Encours du bloc (M€)")
    ax.yaxis.set_major_formatter(formateur_axe(0, " M€"))
    ax.xaxis.set_major_formatter(formateur_axe(0, milliers=False))
    ax.set_title("Dette du bloc communal")
    ax2 = ax.twinx()
    for ent, lib, coul in ((BLOC, "bloc", COULEUR_PRINCIPALE), (SIREN_AGGLO, "agglomération", PALETTE[1])):
        cd = _serie(res, ent, "capacite_desendettement")
        ax2.plot(cd.index, cd.values, color=coul, lw=2.2, marker="o", label=f"Capacité de désendettement — {lib}")
    for seuil in (8, 12):
        ax2.axhline(seuil, color=COULEUR_ACCENT, lw=0.9, ls=":")
        ax2.text(enc.index.max() + 0.45, seuil, f"seuil {seuil} ans", color=COULEUR_ACCENT, fontsize=8,
                 va="bottom", ha="right")
    cmax = np.nanmax([np.nanmax(_serie(res, e, "capacite_desendettement").values) for e in (BLOC, SIREN_AGGLO)])
    ax2.set_ylim(0, max(14.0, float(cmax) + 2))
    ax2.yaxis.set_major_formatter(formateur_axe(0, " ans"))
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    ax.set_ylim(0, float(enc.max()) * 1.15)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=1)
    fig.suptitle(f"{sc.nom} : trajectoire {sc.annee_reference}–{sc.fin}", fontweight="bold", x=0.01, ha="left")
    legende_figure(fig, SOURCE, exemple=exemple, millesime=millesime(sc))
    return fig


def fig_capacite_entites(res: Resultat, annee: int, exemple: bool):
    """Capacité de désendettement of each entity at a year (horizontal bars, 8/12-year thresholds)."""
    import matplotlib.pyplot as plt
    L = res.long
    d = L[(L.indicateur == "capacite_desendettement") & (L.annee == annee)].set_index("entite")["valeur"]
    d = d.reindex(list(ENTITES) + [BLOC])
    d.index = [nom(e) for e in d.index]
    d = d.iloc[np.argsort(d.fillna(np.inf).to_numpy(), kind="stable")]   # worst (and not computable) on top
    fig, ax = plt.subplots(figsize=(9, 7.5))
    couleurs = [PALETTE[2] if v < 8 else PALETTE[1] if v <= 12 else COULEUR_ACCENT for v in d.fillna(0).values]
    plafond = 40.0
    vals = d.fillna(0).clip(upper=plafond)
    ax.barh(d.index, vals.values, color=couleurs)
    for y, (lib, v) in enumerate(d.items()):
        if pd.isna(v):
            ax.text(0.3, y, "non calculable : épargne brute négative ou nulle", va="center", fontsize=8.5,
                    color=COULEUR_ACCENT, fontweight="bold")
        else:
            txt = f"{fmt_nombre(v, 1)} ans" + (" (barre tronquée)" if v > plafond else "")
            ax.text(min(v, plafond) + 0.3, y, txt, va="center", fontsize=8.5)
    for seuil in (8, 12):
        ax.axvline(seuil, color="#444", lw=0.8, ls=":")
    ax.set_xlim(0, max(16.0, float(np.nanmax(vals.values)) + 10))
    ax.xaxis.set_major_formatter(formateur_axe(0, " ans"))
    ax.grid(axis="x", color="#e3e3e3")
    ax.grid(axis="y", visible=False)
    ax.set_title(f"Capacité de désendettement en {annee} — {res.scenario.nom}\n"
                 f"(vert < 8 ans ; orange 8 à 12 ans ; rouge > 12 ans)")
    legende_figure(fig, SOURCE, exemple=exemple, millesime=millesime(res.scenario))
    return fig


def fig_effets_communes(res: Resultat, ref: Resultat, exemple: bool):
    """Per commune (left) and for the agglomeration, the 22 communes and the bloc (right): Δ épargne nette
    cumulée over the horizon and Δ encours de dette at the end (k€ → M€), against the scenario without action.

    Both are shown because a transfer moves investment too: a commune may lose épargne (its AC also pays for the
    renewal of the equipment) while borrowing less."""
    import matplotlib.pyplot as plt
    sc = res.scenario
    ec = comparer(res, ref)
    horizon = list(range(sc.debut, sc.fin + 1))
    en = ec[(ec.indicateur == "epargne_nette") & ec.annee.isin(horizon)].groupby("entite")["ecart"].sum()
    dette = ec[(ec.indicateur == "encours_dette") & (ec.annee == sc.fin)].set_index("entite")["ecart"]
    en["communes"] = en.reindex(list(CODES_INSEE)).sum()
    dette["communes"] = dette.reindex(list(CODES_INSEE)).sum()
    from matplotlib.ticker import MaxNLocator
    fig, axes = plt.subplots(1, 2, figsize=(12.5, 8.4), gridspec_kw={"width_ratios": [2.2, 1]})
    libs = {"communes": "22 communes (total)"}
    for ax, ents in ((axes[0], list(CODES_INSEE)), (axes[1], [SIREN_AGGLO, "communes", BLOC])):
        ents = ents[::-1]
        y = np.arange(len(ents))
        ax.barh(y + 0.2, en.reindex(ents).to_numpy() / 1000, height=0.4, color=PALETTE[0],
                label=f"épargne nette cumulée {sc.debut}–{sc.fin}")
        ax.barh(y - 0.2, dette.reindex(ents).to_numpy() / 1000, height=0.4, color=PALETTE[1],
                label=f"encours de dette fin {sc.fin} (négatif = moins de dette)")
        ax.set_yticks(y, [libs.get(e) or nom(e) for e in ents])
        ax.axvline(0, color="#444", lw=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6 if ax is axes[0] else 3, steps=[1, 2, 5, 10]))
        etendue = np.nanmax(np.abs(np.concatenate([en.reindex(ents).to_numpy(), dette.reindex(ents).to_numpy()])))
        ax.xaxis.set_major_formatter(formateur_axe(0 if etendue > 5000 else 1, " M€"))
        ax.grid(axis="x", color="#e3e3e3")
        ax.grid(axis="y", visible=False)
    axes[0].set_title("Communes")
    axes[1].set_title("Agglomération et bloc")
    axes[0].legend(loc="upper center", bbox_to_anchor=(0.5, -0.05), ncol=2, fontsize=9)
    fig.suptitle(f"{sc.nom} : écarts avec le scénario sans action", fontweight="bold", x=0.01, ha="left")
    legende_figure(fig, SOURCE, exemple=exemple, millesime=millesime(sc))
    return fig


def fig_effets_annuels(res: Resultat, ref: Resultat, exemple: bool):
    """Year-by-year Δ épargne brute: 22 communes, agglomeration, bloc (k€)."""
    import matplotlib.pyplot as plt
    sc = res.scenario
    ec = comparer(res, ref)
    ec = ec[(ec.indicateur == "epargne_brute") & (ec.annee >= sc.debut)]
    com = ec[ec.entite.isin(CODES_INSEE)].groupby("annee")["ecart"].sum()
    agg = ec[ec.entite == SIREN_AGGLO].set_index("annee")["ecart"]
    blo = ec[ec.entite == BLOC].set_index("annee")["ecart"]
    fig, ax = plt.subplots(figsize=(9, 4.6))
    x = np.array(com.index)
    ax.bar(x - 0.2, com.values / 1000, width=0.4, color=PALETTE[0], label="22 communes")
    ax.bar(x + 0.2, agg.reindex(x).values / 1000, width=0.4, color=PALETTE[1], label="Agglomération")
    ax.plot(x, blo.reindex(x).values / 1000, color=COULEUR_ACCENT, marker="o", lw=2, label="Bloc communal")
    ax.axhline(0, color="#444", lw=0.8)
    ax.yaxis.set_major_formatter(formateur_axe(1, " M€"))
    ax.xaxis.set_major_formatter(formateur_axe(0, milliers=False))
    ax.set_title(f"{sc.nom} : écart d'épargne brute par année\navec le scénario sans action (M€)")
    ax.legend(loc="best")
    legende_figure(fig, SOURCE, exemple=exemple, millesime=millesime(sc))
    return fig


def fig_tornado(df: pd.DataFrame, titre: str, unite: str, exemple: bool, sc: Scenario, decimales: int = 0,
                diviseur: float = 1.0):
    """Tornado chart: for each assumption, the result with the assumption moved down (blue) and up (orange)."""
    import matplotlib.pyplot as plt
    d = df.iloc[::-1]
    centre = float(d["resultat_central"].iloc[0]) / diviseur
    fig, ax = plt.subplots(figsize=(9.5, 4.8))
    y = np.arange(len(d))
    bas = d["resultat_bas"].to_numpy() / diviseur - centre
    haut = d["resultat_haut"].to_numpy() / diviseur - centre
    ax.barh(y, bas, left=centre, color=PALETTE[0], label="hypothèse abaissée")
    ax.barh(y, haut, left=centre, color=PALETTE[1], label="hypothèse relevée")
    libs = [f"{l} (± {fmt_nombre(v * 100, 1)} {'%' if u == 'relative' else 'pt'})"
            for l, v, u in zip(d["libelle"], d["variation"], d["unite_variation"])]
    ax.set_yticks(y, libs)
    ax.axvline(centre, color="#444", lw=1)
    ax.xaxis.set_major_formatter(formateur_axe(decimales, unite))
    ax.grid(axis="x", color="#e3e3e3")
    ax.grid(axis="y", visible=False)
    # figure title at the left edge of the figure, like the other charts (not above the axes, which the long
    # assumption labels push to the middle of the figure)
    fig.suptitle(titre.replace(" — ", "\n", 1) if len(titre) > 90 else titre, fontweight="bold", x=0.01,
                 ha="left")
    ax.legend(loc="lower right", fontsize=9)
    legende_figure(fig, SOURCE, exemple=exemple, millesime=millesime(sc))
    return fig


def fig_bandes(mcs: dict[str, MonteCarlo], entites: list[str], titre: str, exemple: bool, sc: Scenario,
               diviseur: float = 1000.0, unite: str = " M€", decimales: int = 0):
    """Monte-Carlo bands (5–95 %) and median, one panel per entity, one colour per scenario."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(entites), figsize=(6 * len(entites), 5.2), squeeze=False)
    from matplotlib.ticker import MaxNLocator
    for ax, ent in zip(axes[0], entites):
        for j, ((lib, mc), coul) in enumerate(zip(mcs.items(), PALETTE)):
            q = mc.quantiles[mc.quantiles.entite == ent].set_index("annee")
            if j == 0:   # the band of the first scenario (the reference) only, for legibility
                ax.fill_between(q.index, q["q05"] / diviseur, q["q95"] / diviseur, color=coul, alpha=0.18,
                                label=f"{lib} : 90 % des tirages (5e–95e centile)")
                ax.plot(q.index, q["q05"] / diviseur, color=coul, lw=0.8, ls=":")
                ax.plot(q.index, q["q95"] / diviseur, color=coul, lw=0.8, ls=":")
            ax.plot(q.index, q["q50"] / diviseur, color=coul, lw=2.2 if j == 0 else 1.8,
                    label=f"{lib} : médiane")
        ax.axhline(0, color="#444", lw=0.8)
        ax.set_title(nom(ent))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=7, integer=True))
        ax.yaxis.set_major_formatter(formateur_axe(decimales, unite))
        ax.xaxis.set_major_formatter(formateur_axe(0, milliers=False))
    axes[0][0].legend(fontsize=8, loc="lower left")
    n = next(iter(mcs.values())).n_tirages
    fig.suptitle(f"{titre} — {fmt_nombre(n)} tirages", fontweight="bold", x=0.01, ha="left")
    legende_figure(fig, SOURCE, exemple=exemple, millesime=millesime(sc))
    return fig


# ---------------------------------------------------------------------------------------------------------
# generated sentences
# ---------------------------------------------------------------------------------------------------------

def _cumul(res: Resultat, ent: str, ind: str) -> float:
    sc = res.scenario
    L = res.long
    return float(L[(L.entite == ent) & (L.indicateur == ind) & L.annee.between(sc.debut, sc.fin)]["valeur"].sum())


def _fin(res: Resultat, ent: str, ind: str, annee: int | None = None) -> float:
    L = res.long
    a = annee or res.scenario.fin
    s = L[(L.entite == ent) & (L.indicateur == ind) & (L.annee == a)]["valeur"]
    return float(s.iloc[0]) if len(s) else np.nan


def _ans(x: float) -> str:
    return "non calculable (épargne brute négative ou nulle)" if pd.isna(x) else f"{fmt_nombre(x, 1)} ans"


def phrases_reference(ref: Resultat) -> list[str]:
    sc = ref.scenario
    R = sc.annee_reference
    eb0, eb1 = _fin(ref, BLOC, "epargne_brute", R), _fin(ref, BLOC, "epargne_brute")
    cd = ref.long[(ref.long.indicateur == "capacite_desendettement") & (ref.long.annee == sc.fin)
                  & ref.long.entite.isin(CODES_INSEE)]
    alerte = cd[(cd.valeur > 12) | cd.valeur.isna()]
    p = [f"Au fil de l'eau, l'épargne brute du bloc communal passe de {fmt_meur(eb0)} en {R} à {fmt_meur(eb1)} en "
         f"{sc.fin} ({fmt_pct(eb1 / eb0 - 1, 0)}) : les charges progressent plus vite que les recettes, "
         f"avec la baisse de la DGF.",
         f"L'encours de dette du bloc atteindrait {fmt_meur(_fin(ref, BLOC, 'encours_dette'))} en {sc.fin}, soit une "
         f"capacité de désendettement de {_ans(_fin(ref, BLOC, 'capacite_desendettement'))} "
         f"(agglomération : {_ans(_fin(ref, SIREN_AGGLO, 'capacite_desendettement'))})."]
    if len(alerte):
        p.append(f"{len(alerte)} commune(s) dépasseraient 12 ans de capacité de désendettement ou n'auraient plus "
                 f"d'épargne brute positive en {sc.fin} : " + ", ".join(nom_entite(e) for e in alerte.entite) + ".")
    else:
        p.append(f"Aucune commune ne dépasse le seuil d'alerte de 12 ans en {sc.fin}.")
    return p


def phrases_scenario(res: Resultat, ref: Resultat) -> list[str]:
    sc = res.scenario
    d_en = _cumul(res, BLOC, "epargne_nette") - _cumul(ref, BLOC, "epargne_nette")
    d_agg = _cumul(res, SIREN_AGGLO, "epargne_nette") - _cumul(ref, SIREN_AGGLO, "epargne_nette")
    d_com = d_en - d_agg
    ec = comparer(res, ref)
    par_commune = pd.Series({c: position_nette(ec, c, sc) for c in CODES_INSEE})
    gagnantes = int((par_commune > 0.5).sum())
    perdantes = int((par_commune < -0.5).sum())
    pos_com = position_nette(ec, list(CODES_INSEE), sc)
    pos_agg = position_nette(ec, SIREN_AGGLO, sc)
    cif0, cif1 = _fin(ref, SIREN_AGGLO, "cif"), _fin(res, SIREN_AGGLO, "cif")
    d_di = _cumul(res, SIREN_AGGLO, "dotation_intercommunalite") - _cumul(ref, SIREN_AGGLO, "dotation_intercommunalite")
    d_etp = _fin(res, SIREN_AGGLO, "etp") - _fin(ref, SIREN_AGGLO, "etp")
    d_dette = _fin(res, BLOC, "encours_dette") - _fin(ref, BLOC, "encours_dette")
    d_dette_com = float(ec[ec.entite.isin(CODES_INSEE) & (ec.indicateur == "encours_dette")
                           & (ec.annee == sc.fin)]["ecart"].sum())
    sens = "améliore" if d_en > 0 else "dégrade"
    p = [f"« {sc.nom} » {sens} l'épargne nette cumulée {sc.debut}–{sc.fin} du bloc communal de "
         f"{fmt_meur(abs(d_en))} ({'+' if d_agg >= 0 else '−'}{fmt_meur(abs(d_agg))} pour l'agglomération, "
         f"{'+' if d_com >= 0 else '−'}{fmt_meur(abs(d_com))} pour l'ensemble des communes).",
         f"Mesuré par la position financière nette en {sc.fin} (dette évitée et excédents mis en réserve), "
         f"{gagnantes} commune(s) y gagnent et {perdantes} y perdent ; ensemble, les communes "
         f"{'gagnent' if pos_com >= 0 else 'perdent'} {fmt_meur(abs(pos_com))} et l'agglomération "
         f"{'gagne' if pos_agg >= 0 else 'perd'} {fmt_meur(abs(pos_agg))}.",
         f"Le CIF passe de {fmt_nombre(cif0, 3)} à {fmt_nombre(cif1, 3)} en {sc.fin}, ce qui "
         f"{'apporte' if d_di >= 0 else 'retire'} {fmt_meur(abs(d_di))} de dotation d'intercommunalité cumulée "
         f"à l'agglomération.",
         f"En {sc.fin}, la dette du bloc est {'inférieure' if d_dette < 0 else 'supérieure'} de "
         f"{fmt_meur(abs(d_dette))} à celle du scénario sans action (communes : "
         f"{'−' if d_dette_com < 0 else '+'}{fmt_meur(abs(d_dette_com))})."]
    if abs(d_etp) >= 0.5:
        p.append(f"L'agglomération compte {fmt_nombre(abs(d_etp))} ETP de {'plus' if d_etp > 0 else 'moins'} en "
                 f"{sc.fin} que sans action.")
    return p


def phrases_sensibilite(tornado: pd.DataFrame, mc: MonteCarlo, sc: Scenario) -> list[str]:
    t = tornado.iloc[0]
    q05, q50, q95 = np.quantile(mc.mesure, [0.05, 0.5, 0.95])
    neg = float((mc.mesure < 0).mean())
    return [f"L'hypothèse la plus déterminante est « {t['libelle'].lower()} » : ± {fmt_nombre(t['variation'] * 100, 1)} "
            f"{'%' if t['unite_variation'] == 'relative' else 'point'} fait varier l'épargne nette cumulée du bloc "
            f"de {fmt_meur(t['resultat_bas'])} à {fmt_meur(t['resultat_haut'])}.",
            f"Sur {fmt_nombre(mc.n_tirages)} tirages, l'épargne nette cumulée {sc.debut}–{sc.fin} du bloc se situe "
            f"entre {fmt_meur(q05)} et {fmt_meur(q95)} dans 90 % des cas (médiane {fmt_meur(q50)}) ; "
            f"elle est négative dans {fmt_pct(neg, 0)} des tirages."]


_LIBELLES_DETAILS = {
    "commune": "commune", "entite_nom": "entité", "annees_reference": "période CLECT",
    "cout_moyen_fonctionnement": "coût moyen de fonctionnement (k€)",
    "cout_annualise_equipement": "coût annualisé d'équipement (k€)", "recettes_liees": "recettes liées (k€)",
    "recettes_investissement_deduites": "subventions et FCTVA déduits (k€)",
    "charges_transferees": "charges transférées (k€)", "ac_avant": "AC avant (k€)", "ac_apres": "AC après (k€)",
    "personnel_transfere": "personnel transféré (k€)", "etp_transferes": "ETP transférés",
    "cout_fonction_annee_reference": "coût de la fonction mise en commun (k€)",
    "etp_mis_en_commun": "ETP mis en commun", "part": "part selon la clé", "contribution_premiere_annee":
        "contribution 1re année (k€)", "contribution_fin_horizon": "contribution fin d'horizon (k€)",
    "dsc_reference": "DSC de référence (k€)", "dsc_pacte_premiere_annee": "DSC du pacte, 1re année (k€)",
}


def tableaux_details(res: Resultat) -> list[tuple[str, pd.DataFrame, dict]]:
    """The detail table of each action (CLECT evaluation, service commun keys, DSC distribution), French labels,
    with a total line."""
    out = []
    for cle, d in res.details.items():
        if "transfert" in cle:
            cols = ["commune", "annees_reference", "cout_moyen_fonctionnement", "cout_annualise_equipement",
                    "recettes_liees", "recettes_investissement_deduites", "charges_transferees", "ac_avant",
                    "ac_apres", "personnel_transfere",
                    "etp_transferes"]
            titre = f"Évaluation CLECT — {d['competence'].iloc[0]} (transfert {d['annee'].iloc[0]})"
        elif "service" in cle:
            cols = ["entite_nom", "cout_fonction_annee_reference", "etp_mis_en_commun", "part",
                    "contribution_premiere_annee", "contribution_fin_horizon"]
            titre = (f"Service commun « {d['service'].iloc[0]} » ({d['annee'].iloc[0]}) — clé "
                     f"« {d['cle_repartition'].iloc[0]} », financement « {d['financement'].iloc[0].replace('_', ' ')} »")
        else:
            cols = ["commune", "dsc_reference", "part", "dsc_pacte_premiere_annee"]
            titre = f"Pacte financier — répartition de la DSC ({d['annee'].iloc[0]})"
        t = d[cols].copy()
        total = {c: (t[c].sum() if pd.api.types.is_numeric_dtype(t[c]) else "") for c in cols}
        total[cols[0]] = "Total"
        t = pd.concat([t, pd.DataFrame([total])], ignore_index=True)
        t = t.rename(columns=_LIBELLES_DETAILS)
        formats = {}
        for c in t.columns:
            if c.endswith("(k€)"):
                formats[c] = "keur"
            elif c.startswith("ETP"):
                formats[c] = ("nombre", 1)
            elif c == "part selon la clé":
                formats[c] = ("pct", 1)
        out.append((titre, t, formats))
    return out
