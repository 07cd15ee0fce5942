package bestedm

// TaskService handles sending tasks (doc §2.1, §5.1, §6).
type TaskService service
