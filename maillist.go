package bestedm

// MaillistService handles contact lists and their addresses (doc §4).
type MaillistService service
