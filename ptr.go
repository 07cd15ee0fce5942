package bestedm

// Ptr returns a pointer to a copy of v. It sets the optional fields whose
// zero value is a real setting, such as TaskUpdateParams.SendQty (0: every
// address) or TaskParams.SubsLink (false: no unsubscribe link):
//
//	p := &bestedm.TaskUpdateParams{SendQty: bestedm.Ptr(0), SubsLink: bestedm.Ptr(false)}
func Ptr[T any](v T) *T { return &v }
