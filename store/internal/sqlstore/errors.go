package sqlstore

import "github.com/mynacard/mynacard/store"

// StorageFull wraps a driver's out-of-space error so that errors.Is
// matches both store.ErrStorageFull and the driver's own error.
func StorageFull(err error) error { return &storageFullError{err} }

// Conflict wraps a driver's constraint error as store.ErrConflict, keeping
// the driver's error.
func Conflict(err error) error { return &conflictError{err} }

type storageFullError struct{ err error }

func (e *storageFullError) Error() string { return "storage full: " + e.err.Error() }

func (e *storageFullError) Unwrap() []error { return []error{store.ErrStorageFull, e.err} }

type conflictError struct{ err error }

func (e *conflictError) Error() string { return "conflict: " + e.err.Error() }

func (e *conflictError) Unwrap() []error { return []error{store.ErrConflict, e.err} }
