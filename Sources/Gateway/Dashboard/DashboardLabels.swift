import Model

/// The dashboard's words in French, Dutch and German.
struct DashboardLabels {
    let language: LanguageCode

    private static let words: [String: (fr: String, nl: String, de: String)] = [
        "title": ("Échanges interrégionaux", "Interregionale uitwisseling", "Interregionaler Austausch"),
        "gateway": ("Passerelle de", "Gateway van", "Gateway von"),
        "matrix": ("Stagiaires : organisme d'origine × organisme de formation", "Stagiairs: verwijzende dienst × opleidende dienst",
                   "Praktikanten: zuweisende Stelle × ausbildende Stelle"),
        "referring": ("Origine", "Verwijzer", "Zuweisung"),
        "training": ("Formation", "Opleider", "Ausbildung"),
        "overTime": ("Offres d'emploi reçues par mois et par origine", "Ontvangen vacatures per maand en herkomst",
                     "Erhaltene Stellenangebote pro Monat und Herkunft"),
        "topOccupations": ("Métiers les plus échangés", "Meest uitgewisselde beroepen", "Meistausgetauschte Berufe"),
        "occupation": ("Métier (ROME)", "Beroep (ROME)", "Beruf (ROME)"),
        "vacancies": ("Offres", "Vacatures", "Stellenangebote"),
        "rejections": ("Motifs de rejet", "Redenen van weigering", "Ablehnungsgründe"),
        "code": ("Code", "Code", "Code"),
        "direction": ("Sens", "Richting", "Richtung"),
        "in": ("reçus", "ontvangen", "empfangen"),
        "out": ("envoyés", "verzonden", "gesendet"),
        "records": ("Enregistrements", "Records", "Datensätze"),
        "rate": ("Taux", "Aandeel", "Anteil"),
        "none": ("Aucune donnée", "Geen gegevens", "Keine Daten"),
        "total": ("Total", "Totaal", "Gesamt"),
        "window": ("Période", "Periode", "Zeitraum"),
        "provisional": ("provisoire : période en cours", "voorlopig: lopende periode", "vorläufig: laufender Zeitraum"),
        "counting": ("enregistrements distincts (dernière version)", "unieke records (laatste versie)", "eindeutige Datensätze (letzte Version)"),
        "year": ("Année", "Jaar", "Jahr"),
        "all": ("tout", "alles", "alles"),
        "protected": ("Pour protéger les personnes, les nombres inférieurs au seuil (et ceux qui les feraient déduire) sont affichés",
                      "Om personen te beschermen worden aantallen onder de drempel (en die waaruit ze af te leiden zijn) getoond als",
                      "Zum Schutz der Personen werden Zahlen unter der Schwelle (und solche, aus denen sie folgen) angezeigt als"),
        "signIn": ("Se connecter", "Aanmelden", "Anmelden"),
        "signOut": ("Se déconnecter", "Afmelden", "Abmelden"),
        "token": ("Jeton", "Token", "Token"),
        "tokenFrom": ("Un jeton vous est donné par l'opérateur de cette passerelle (gateway operators add ; la démo imprime les siens au démarrage).",
                      "Een token krijgt u van de beheerder van deze gateway (gateway operators add; de demo drukt de zijne af bij de start).",
                      "Ein Token erhalten Sie vom Betreiber dieses Gateways (gateway operators add; die Demo gibt ihre beim Start aus)."),
        "wrongToken": ("Ce jeton n'ouvre pas le tableau de bord.", "Dit token opent het dashboard niet.", "Dieses Token öffnet das Dashboard nicht."),
        "wait": ("Trop de jetons erronés depuis cette adresse : réessayez dans {s} s.", "Te veel foute tokens vanaf dit adres: probeer opnieuw over {s} s.",
                 "Zu viele falsche Token von dieser Adresse: versuchen Sie es in {s} s erneut."),
    ]

    subscript(_ key: String) -> String {
        guard let w = Self.words[key] else { return key }
        switch language {
        case .dutch: return w.nl
        case .german: return w.de
        default: return w.fr
        }
    }

    /// The language asked for (`?lang=`), else the browser's first of fr, nl, de, else French.
    static func choose(query: String?, acceptLanguage: String?) -> LanguageCode {
        let supported: [LanguageCode] = [.french, .dutch, .german]
        if let q = query.flatMap(LanguageCode.init(rawValue:)), supported.contains(q) { return q }
        for part in (acceptLanguage ?? "").split(separator: ",") {
            let tag = part.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).prefix(2)
            if let code = LanguageCode(rawValue: String(tag)), supported.contains(code) { return code }
        }
        return .french
    }
}
