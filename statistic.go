package bestedm

// StatisticService handles sending statistics (doc §2).
type StatisticService service
