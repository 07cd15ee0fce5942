package bestedm

// TrackService handles open and click tracking (doc §3).
type TrackService service
