"""Charts of the organisation comparison (notebook 02): taux d'administration by size, structure of the FTE by
filière, catégorie and statut, the map of duplicated support functions, police municipale over time. Each function
draws one figure with its source line and sample mark and returns it. ``ctx``:
:class:`~orleans_gov.restitution.chargement.ContexteOrganisations`.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from orleans_gov.analyse.organisations import (matrice_fonctions_support, police_pour_1000,
                                               structure_effectifs)
from orleans_gov.base import vocabulaire
from orleans_gov.base.nomenclatures import CATEGORIES, FILIERES, STATUTS
from orleans_gov.base.territoire import SIREN_AGGLO
from orleans_gov.restitution.formats import fmt_nombre
from orleans_gov.restitution.graphiques import (CMAP_SEQUENTIELLE, PALETTE, PALETTE_CATEGORIES, annees_en_abscisse,
                                                couleurs_communes, envelopper_court, formateur_axe, grille_verticale,
                                                legende_figure, sans_dessin_force)

SOURCE_POLICE = "Ministère de l'Intérieur, enquête « Police municipale : effectifs par commune »"


def _plt():
    import matplotlib.pyplot as plt  # lazy: keeps ``import orleans_gov`` light

    return plt


def _etiqueter(ax, fig, c: pd.DataFrame) -> None:
    """Name each point with the first position (right, below, left…) whose label overlaps neither another label nor
    a point. The axes limits are set: their transforms are final without a draw (a full draw, 0,3 s, issue 16)."""
    places = [ax.transData.transform((x, y)) for x, y in zip(c["population"], c["etp_pour_1000_hab"])]
    boites = []
    for r in c.sort_values("population", ascending=False).itertuples():
        for dx, dy, ha in ((6, 3, "left"), (6, -11, "left"), (-6, 3, "right"), (-6, -11, "right"), (6, 12, "left"),
                           (6, -20, "left")):
            t = ax.annotate(r.nom, (r.population, r.etp_pour_1000_hab), xytext=(dx, dy), textcoords="offset points",
                            fontsize=8, color="#333333", ha=ha)
            b = t.get_window_extent(fig.canvas.get_renderer()).expanded(1.02, 1.1)
            if not any(b.overlaps(o) for o in boites) and not any(b.contains(px, py) for px, py in places):
                break
            t.remove()
        else:
            t = ax.annotate(r.nom, (r.population, r.etp_pour_1000_hab), xytext=(6, 3), textcoords="offset points",
                            fontsize=8, color="#333333")
            b = t.get_window_extent(fig.canvas.get_renderer())
        boites.append(b)


def fig_taux_administration(ctx):
    """FTE per 1 000 inhabitants of each commune against its population (log scale), one colour per DGFiP band,
    with the level of the 22 communes taken together."""
    plt = _plt()
    c = ctx.comparaison[ctx.comparaison["niveau"] == "commune"].copy()
    ensemble = c.iloc[0]["etp_pour_1000_hab_communes"]
    fig, ax = plt.subplots(figsize=(10.5, 6.2))
    strates = sorted(c["strate_dgfip"].dropna().unique(), key=lambda s: c.loc[c["strate_dgfip"] == s, "population"].min())
    for i, s in enumerate(strates):
        x = c[c["strate_dgfip"] == s]
        ax.scatter(x["population"], x["etp_pour_1000_hab"], s=70, color=PALETTE_CATEGORIES[i % len(PALETTE_CATEGORIES)],
                   label=s.replace("communes de ", ""), edgecolor="white", linewidth=0.8, zorder=3)
    ax.set_xscale("log")
    ax.set_xlim(c["population"].min() / 1.4, c["population"].max() * 1.8)
    ax.set_ylim(0, c["etp_pour_1000_hab"].max() * 1.1)
    _etiqueter(ax, fig, c)
    ax.axhline(ensemble, color="#555555", linestyle="--", linewidth=1)
    ax.annotate(f"ensemble des 22 communes : {fmt_nombre(ensemble, 1)} ETP pour 1 000 hab.",
                (c["population"].min(), ensemble), xytext=(0, 4), textcoords="offset points",
                fontsize=8.5, color="#555555", ha="left")
    ax.set_xscale("log")
    ax.set_xticks([t for t in (500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)
                   if c["population"].min() / 1.5 <= t <= c["population"].max() * 1.5])
    ax.xaxis.set_major_formatter(formateur_axe(0))
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.yaxis.set_major_locator(plt.MultipleLocator(2))
    ax.yaxis.set_major_formatter(formateur_axe(0))
    ax.set_xlabel("Population municipale (échelle logarithmique)")
    ax.set_ylabel(vocabulaire.entete("etp_pour_1000_hab"))
    ax.legend(title=f"{vocabulaire.libelle('strate_dgfip')} (habitants)", loc="lower right", fontsize=8.5)
    ax.set_title(f"{vocabulaire.libelle('etp_pour_1000_hab')} des communes selon leur taille, {ctx.annee}")
    legende_figure(fig, f"classeurs de collecte {ctx.annee} (ETP au 31/12) ; {ctx.source_pop}", exemple=ctx.exemple)
    return fig


def _barres_empilees(ax, parts: pd.DataFrame, colonnes, couleurs, libelles) -> None:
    """Stacked horizontal bars of shares (0–1, shown in %), one row per entity."""
    gauche = np.zeros(len(parts))
    for col, coul, lib in zip(colonnes, couleurs, libelles):
        v = parts[col].fillna(0).to_numpy() * 100 if col in parts else np.zeros(len(parts))
        ax.barh(list(parts.index), v, left=gauche, color=coul, label=lib, edgecolor="white", linewidth=0.5)
        gauche += v
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(formateur_axe(0, " %"))
    grille_verticale(ax)


def _structure(ctx, dimension: str) -> pd.DataFrame:
    s = structure_effectifs(ctx.effectifs, dimension).set_index("entite").loc[ctx.ordre]
    s.index = [ctx.noms[e] for e in s.index]
    return s


def fig_filieres(ctx):
    """Share of each filière in the FTE of every entity."""
    import seaborn as sns  # lazy: keeps ``import orleans_gov`` light

    s = _structure(ctx, "filiere")
    s = s[[f for f in FILIERES if f in s.columns and s[f].fillna(0).sum() > 0]]
    fig, ax = _plt().subplots(figsize=(11, 8.5))
    _barres_empilees(ax, s, s.columns, sns.color_palette(PALETTE + ["#8c564b", "#17becf"], len(s.columns)), s.columns)
    ax.invert_yaxis()
    ax.set_xlabel("Part des ETP de l'entité")
    ax.legend(ncol=4, loc="upper center", bbox_to_anchor=(0.45, -0.07), fontsize=9)
    ax.set_title(f"Répartition des ETP par filière, {ctx.annee}")
    ax.set_ylabel("Communes par population décroissante, puis l'agglomération", fontsize=9.5)
    legende_figure(fig, ctx.source_collecte, exemple=ctx.exemple)
    return fig


def fig_categories_statuts(ctx):
    """Share of each catégorie (A, B, C) and statut (titulaire, contractuel) in the FTE of every entity."""
    fig, axes = _plt().subplots(1, 2, figsize=(12, 7.5), sharey=True)
    for ax, dimension, titre, cols, coul, libs in (
            (axes[0], "categorie", "Par catégorie", CATEGORIES, [PALETTE[0], PALETTE[4], "#c9d9ea"],
             [f"catégorie {c}" for c in CATEGORIES]),
            (axes[1], "statut", "Par statut", STATUTS, [PALETTE[0], PALETTE[1]], STATUTS)):
        _barres_empilees(ax, _structure(ctx, dimension), cols, coul, libs)
        ax.set_title(titre, fontsize=12)
        ax.legend(ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.05), fontsize=9)
    axes[0].invert_yaxis()
    fig.suptitle(f"Structure des ETP par catégorie et par statut, {ctx.annee}", x=0.01, ha="left",
                 fontweight="bold", fontsize=13)
    legende_figure(fig, ctx.source_collecte, exemple=ctx.exemple)
    return fig


TAILLE_DOUBLONS = 8.5  # pt in the figure (printed at ≥ 7 pt once scaled to the page)


def fig_doublons(ctx):
    """Map of duplicates: FTE of each support function in every entity (figure: FTE; colour: FTE per 10 000
    inhabitants; « absente » when 0, « n.d. » when not answered)."""
    import seaborn as sns  # lazy: keeps ``import orleans_gov`` light

    m_etp = matrice_fonctions_support(ctx.support, "etp").reindex(ctx.ordre)
    pop = ctx.indicateurs.set_index("entite")["population"].reindex(ctx.ordre)
    m_10k = m_etp.div(pop, axis=0) * 10_000
    annot = m_etp.map(lambda v: "" if (pd.isna(v) or v == 0) else fmt_nombre(v, 1))
    # sized for the printed page (≤ 186 × 125 mm, rapport.css): at that scale every text is ≥ 7 pt (issue 14: the
    # 12 × 10 in version printed at about 4 pt); test_impression measures it
    fig, ax = _plt().subplots(figsize=(8.9, 5.6))
    with sans_dessin_force(fig):  # its draw only tests the labels for overlap: rotations set below
        sns.heatmap(m_10k.where(m_etp > 0), annot=annot, fmt="", cmap=CMAP_SEQUENTIELLE, linewidths=0.6,
                    linecolor="white", ax=ax, annot_kws={"fontsize": TAILLE_DOUBLONS},
                    cbar_kws={"format": formateur_axe(1), "shrink": 0.7, "pad": 0.02})
    cbar = ax.collections[0].colorbar
    cbar.set_label("ETP pour 10 000 habitants", fontsize=TAILLE_DOUBLONS)
    cbar.ax.tick_params(labelsize=TAILLE_DOUBLONS)
    ax.set_facecolor("#f2f2f2")
    ax.grid(False)
    ax.set_yticks([i + 0.5 for i in range(len(m_etp.index))])
    ax.set_yticklabels([ctx.noms[e] for e in m_etp.index], rotation=0, fontsize=TAILLE_DOUBLONS)
    # a long word broken at a syllable: « communication » ran into its neighbours (issue 16 note)
    ax.set_xticklabels([envelopper_court(c, 10) for c in m_etp.columns], rotation=0,
                       fontsize=TAILLE_DOUBLONS)
    for i, e in enumerate(m_etp.index):
        for j, f in enumerate(m_etp.columns):
            if m_etp.loc[e, f] == 0:
                ax.text(j + 0.5, i + 0.5, "absente", ha="center", va="center", fontsize=TAILLE_DOUBLONS,
                        color="#666666")
            elif pd.isna(m_etp.loc[e, f]):
                ax.text(j + 0.5, i + 0.5, "n.d.", ha="center", va="center", fontsize=TAILLE_DOUBLONS,
                        color="#666666")
    ax.xaxis.tick_top()
    ax.tick_params(axis="both", length=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(f"Carte des doublons : ETP par fonction support et par entité, {ctx.annee}\n"
                 "(chiffre : ETP ; couleur : ETP pour 10 000 habitants)", fontsize=TAILLE_DOUBLONS + 1, pad=8,
                 loc="left")
    legende_figure(fig, f"classeurs de collecte {ctx.annee} ; {ctx.source_pop}", exemple=ctx.exemple)
    return fig


def fig_police(ctx):
    """Police municipale agents per 1 000 inhabitants of each commune, year by year (real series)."""
    pol = police_pour_1000(ctx.police)
    pol_c = pol[pol["entite"] != SIREN_AGGLO]
    fig, ax = _plt().subplots(figsize=(10.5, 5.8))
    groupes = list(pol_c.groupby("entite"))
    for (_ent, x), couleur in zip(groupes, couleurs_communes([e for e, _x in groupes])):
        x = x.sort_values("an")
        ax.plot(x["an"], x["agents_pour_1000_hab"], marker="o", markersize=4, linewidth=2,
                color=couleur, label=x["nom"].iloc[0])
    annees = sorted(pol_c["an"].unique())
    ax.set_xticks(annees)
    annees_en_abscisse(ax)
    ax.yaxis.set_major_formatter(formateur_axe(1))
    ax.set_ylim(0, None)
    ax.set_ylabel(vocabulaire.libelle("agents_police_pour_1000"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    periode = f"{annees[0]}–{annees[-1]}"
    ax.set_title(f"{vocabulaire.libelle('agents_police_pour_1000')}, {periode}")
    legende_figure(fig, f"{SOURCE_POLICE} (décembre), population au 1er janvier de l'année d'enquête", exemple=False,
                   millesime=periode.replace("–", "-"))
    return fig
