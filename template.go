package bestedm

// TemplateService handles mail templates and their attachments (doc §5).
type TemplateService service
