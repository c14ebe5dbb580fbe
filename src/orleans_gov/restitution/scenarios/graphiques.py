"""Charts of the scenario notebook (03): trajectory without action, capacité de désendettement by entity, effects
against the counterfactual, tornado and Monte-Carlo bands. Each function draws one figure with its source line and
sample mark (:func:`~orleans_gov.restitution.graphiques.legende_figure`) and returns it."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from orleans_gov.analyse.finances import seuils_capacite
from orleans_gov.base.territoire import CODES_INSEE, ENTITES, SIREN_AGGLO
from orleans_gov.restitution.formats import fmt_nombre
from orleans_gov.restitution.graphiques import (COULEUR_ACCENT, COULEUR_PRINCIPALE, PALETTE, annees_en_abscisse,
                                                formateur_axe, grille_verticale, legende_figure)
from orleans_gov.restitution.scenarios.commun import SOURCE, millesime, nom, serie
from orleans_gov.scenarios import BLOC, Resultat, comparer
from orleans_gov.scenarios.schema import Scenario
from orleans_gov.scenarios.sensibilite import MonteCarlo


def _conclure(fig, titre: str | None, sc: Scenario, exemple: bool):
    """Title at the left edge of the figure (when given), source line and sample mark under it."""
    if titre is not None:
        fig.suptitle(titre, fontweight="bold", x=0.01, ha="left")
    legende_figure(fig, SOURCE, exemple=exemple, millesime=millesime(sc))
    return fig


def _plt():
    import matplotlib.pyplot as plt  # lazy: keeps ``import orleans_gov`` light

    return plt


def fig_trajectoire(res: Resultat, exemple: bool):
    """Baseline: épargne brute and nette of the communes (sum), the agglomeration and the bloc; debt and
    capacité de désendettement of the bloc."""
    plt = _plt()
    sc = res.scenario
    fig, axes = plt.subplots(1, 2, figsize=(12, 6.2))
    ax = axes[0]
    for (ent, lib), coul in zip(((list(CODES_INSEE), "22 communes"), (SIREN_AGGLO, "Agglomération"),
                                 (BLOC, "Bloc communal")), PALETTE):
        ax.plot(serie(res, ent, "epargne_brute") / 1000, color=coul, lw=2.2, label=f"{lib} — épargne brute")
        ax.plot(serie(res, ent, "epargne_nette") / 1000, color=coul, lw=1.6, ls="--",
                label=f"{lib} — épargne nette")
    ax.axhline(0, color="#444", lw=0.8)
    ax.set_title("Épargne brute (trait plein) et nette (tirets)")
    ax.yaxis.set_major_formatter(formateur_axe(0, " M€"))
    annees_en_abscisse(ax)
    ax.legend(fontsize=8.5, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.08))
    ax = axes[1]
    enc = serie(res, BLOC, "encours_dette") / 1000
    ax.bar(enc.index, enc.values, color=PALETTE[4], alpha=0.7, label="Encours du bloc (M€)")
    ax.yaxis.set_major_formatter(formateur_axe(0, " M€"))
    annees_en_abscisse(ax)
    ax.set_title("Dette du bloc communal")
    ax2 = ax.twinx()
    for ent, lib, coul in ((BLOC, "bloc", COULEUR_PRINCIPALE), (SIREN_AGGLO, "agglomération", PALETTE[1])):
        cd = serie(res, ent, "capacite_desendettement")
        ax2.plot(cd.index, cd.values, color=coul, lw=2.2, marker="o", label=f"Capacité de désendettement — {lib}")
    for seuil in seuils_capacite(sc.fin):
        ax2.axhline(seuil, color=COULEUR_ACCENT, lw=0.9, ls=":")
        ax2.text(enc.index.max() + 0.45, seuil, f"seuil {fmt_nombre(seuil)} ans", color=COULEUR_ACCENT, fontsize=8,
                 va="bottom", ha="right")
    cmax = np.nanmax([np.nanmax(serie(res, e, "capacite_desendettement").values) for e in (BLOC, SIREN_AGGLO)])
    ax2.set_ylim(0, max(14.0, float(cmax) + 2))
    ax2.yaxis.set_major_formatter(formateur_axe(0, " ans"))
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    ax.set_ylim(0, float(enc.max()) * 1.15)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=1)
    return _conclure(fig, f"{sc.nom} : trajectoire {sc.annee_reference}–{sc.fin}", sc, exemple)


def fig_capacite_entites(res: Resultat, annee: int, exemple: bool):
    """Capacité de désendettement of each entity at a year (horizontal bars, 8/12-year thresholds)."""
    plt = _plt()
    L = res.long
    d = L[(L.indicateur == "capacite_desendettement") & (L.annee == annee)].set_index("entite")["valeur"]
    d = d.reindex(list(ENTITES) + [BLOC])
    d.index = [nom(e) for e in d.index]
    d = d.iloc[np.argsort(d.fillna(np.inf).to_numpy(), kind="stable")]   # worst (and not computable) on top
    vigilance, alerte = seuils_capacite(annee)
    fig, ax = plt.subplots(figsize=(9, 7.5))
    couleurs = [PALETTE[2] if v < vigilance else PALETTE[1] if v <= alerte else COULEUR_ACCENT
                for v in d.fillna(0).values]
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
    for seuil in (vigilance, alerte):
        ax.axvline(seuil, color="#444", lw=0.8, ls=":")
    ax.set_xlim(0, max(16.0, float(np.nanmax(vals.values)) + 10))
    ax.xaxis.set_major_formatter(formateur_axe(0, " ans"))
    grille_verticale(ax)
    ax.set_title(f"Capacité de désendettement en {annee} — {res.scenario.nom}\n"
                 f"(vert < {fmt_nombre(vigilance)} ans ; orange {fmt_nombre(vigilance)} à {fmt_nombre(alerte)} ans ; "
                 f"rouge > {fmt_nombre(alerte)} ans)")
    return _conclure(fig, None, res.scenario, exemple)


def fig_effets_communes(res: Resultat, ref: Resultat, exemple: bool):
    """Per commune (left) and for the agglomeration, the 22 communes and the bloc (right): Δ épargne nette
    cumulée over the horizon and Δ encours de dette at the end (k€ → M€), against the scenario without action.

    Both are shown because a transfer moves investment too: a commune may lose épargne (its AC also pays for the
    renewal of the equipment) while borrowing less."""
    plt = _plt()
    sc = res.scenario
    ec = comparer(res, ref)
    horizon = list(range(sc.debut, sc.fin + 1))
    en = ec[(ec.indicateur == "epargne_nette") & ec.annee.isin(horizon)].groupby("entite")["ecart"].sum()
    dette = ec[(ec.indicateur == "encours_dette") & (ec.annee == sc.fin)].set_index("entite")["ecart"]
    en["communes"] = en.reindex(list(CODES_INSEE)).sum()
    dette["communes"] = dette.reindex(list(CODES_INSEE)).sum()
    from matplotlib.ticker import MaxNLocator  # lazy: keeps ``import orleans_gov`` light
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
        graduations = MaxNLocator(nbins=6 if ax is axes[0] else 3, steps=[1, 2, 5, 10])
        ax.xaxis.set_major_locator(graduations)
        # decimals only when the step needs them (« −4,0 M€ −2,0 M€ 0,0 M€ » ran into each other on the narrow
        # right panel, issue 16 note)
        pas = np.diff(graduations.tick_values(*ax.get_xlim()))
        decimales = 1 if not len(pas) else 0 if float(pas[0]).is_integer() else min(2, -math.floor(math.log10(pas[0])))
        ax.xaxis.set_major_formatter(formateur_axe(decimales, " M€"))
        grille_verticale(ax)
    axes[0].set_title("Communes")
    axes[1].set_title("Agglomération et bloc")
    axes[0].legend(loc="upper center", bbox_to_anchor=(0.5, -0.05), ncol=2, fontsize=9)
    return _conclure(fig, f"{sc.nom} : écarts avec le scénario sans action", sc, exemple)


def fig_effets_annuels(res: Resultat, ref: Resultat, exemple: bool):
    """Year-by-year Δ épargne brute: 22 communes, agglomeration, bloc (k€)."""
    plt = _plt()
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
    annees_en_abscisse(ax)
    ax.set_title(f"{sc.nom} : écart d'épargne brute par année\navec le scénario sans action (M€)")
    ax.legend(loc="best")
    return _conclure(fig, None, sc, exemple)


def fig_tornado(df: pd.DataFrame, titre: str, unite: str, exemple: bool, sc: Scenario, decimales: int = 0,
                diviseur: float = 1.0):
    """Tornado chart: for each assumption, the result with the assumption moved down (blue) and up (orange)."""
    plt = _plt()
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
    grille_verticale(ax)
    # figure title at the left edge of the figure, like the other charts (not above the axes, which the long
    # assumption labels push to the middle of the figure)
    fig.suptitle(titre.replace(" — ", "\n", 1) if len(titre) > 90 else titre, fontweight="bold", x=0.01,
                 ha="left")
    ax.legend(loc="lower right", fontsize=9)
    return _conclure(fig, None, sc, exemple)


def fig_bandes(mcs: dict[str, MonteCarlo], entites: list[str], titre: str, exemple: bool, sc: Scenario,
               diviseur: float = 1000.0, unite: str = " M€", decimales: int = 0):
    """Monte-Carlo bands (5–95 %) and median, one panel per entity, one colour per scenario."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(entites), figsize=(6 * len(entites), 5.2), squeeze=False)
    from matplotlib.ticker import MaxNLocator  # lazy: keeps ``import orleans_gov`` light
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
        annees_en_abscisse(ax)
    axes[0][0].legend(fontsize=8, loc="lower left")
    n = next(iter(mcs.values())).n_tirages
    return _conclure(fig, f"{titre} — {fmt_nombre(n)} tirages", sc, exemple)
