/// The person a trainee record is about. Personal data: it travels only to the receiving agency
/// and is never written to logs, so its description (and that of every value holding it) says
/// nothing of the person.
public struct Person: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var nationalNumber: NationalNumber
    public var lastName: String
    public var firstName: String
    public var birthDate: CalendarDate
    public var gender: Gender

    public init(nationalNumber: NationalNumber, lastName: String, firstName: String, birthDate: CalendarDate, gender: Gender) {
        self.nationalNumber = nationalNumber
        self.lastName = lastName
        self.firstName = firstName
        self.birthDate = birthDate
        self.gender = gender
    }

    public var description: String { "Person(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// The training scheme: in a company under the training agency's own name for it
/// (`IBO`, `PFI`, `IBU`, `FPI`, `FPI-E`), or in a training centre.
public struct TraineeScheme: Hashable, Sendable {
    public var type: TraineeSchemeType
    /// The agency's own name for an in-company scheme; nil for centre training.
    public var nativeName: String?

    public static let centre = TraineeScheme(type: .centre, nativeName: nil)
    public static func inCompany(_ nativeName: String) -> TraineeScheme { TraineeScheme(type: .inCompany, nativeName: nativeName) }

    public init(type: TraineeSchemeType, nativeName: String?) {
        self.type = type
        self.nativeName = nativeName
    }
}

/// When the training runs: a start, a planned end, and the actual end once it has ended.
public struct TrainingPeriod: Hashable, Sendable {
    public var start: CalendarDate
    public var plannedEnd: CalendarDate
    public var actualEnd: CalendarDate?

    public init(start: CalendarDate, plannedEnd: CalendarDate, actualEnd: CalendarDate? = nil) {
        self.start = start
        self.plannedEnd = plannedEnd
        self.actualEnd = actualEnd
    }
}

/// A vacancy named by its origin agency and id, as a trainee record links to it.
public struct VacancyReference: Hashable, Sendable {
    public var originAgency: Agency
    public var vacancyId: RecordID

    public init(originAgency: Agency, vacancyId: RecordID) {
        self.originAgency = originAgency
        self.vacancyId = vacancyId
    }
}

/// A trainee record: a person trained by one agency (the training agency, which owns the record)
/// on referral from another (or from itself).
public struct TraineeRecord: Hashable, Sendable {
    public var id: RecordID
    public var version: RecordVersion
    public var referringAgency: Agency
    /// The owner of the record; with `id`, names it across all exchanges.
    public var trainingAgency: Agency
    public var person: Person
    public var scheme: TraineeScheme
    public var occupation: Occupation
    /// Present for in-company schemes, absent for centre training.
    public var employer: Employer?
    public var period: TrainingPeriod
    public var status: TraineeStatus
    public var linkedVacancy: VacancyReference?

    public init(id: RecordID, version: RecordVersion, referringAgency: Agency, trainingAgency: Agency,
                person: Person, scheme: TraineeScheme, occupation: Occupation, employer: Employer?,
                period: TrainingPeriod, status: TraineeStatus, linkedVacancy: VacancyReference? = nil) {
        self.id = id
        self.version = version
        self.referringAgency = referringAgency
        self.trainingAgency = trainingAgency
        self.person = person
        self.scheme = scheme
        self.occupation = occupation
        self.employer = employer
        self.period = period
        self.status = status
        self.linkedVacancy = linkedVacancy
    }
}
