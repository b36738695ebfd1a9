// Command pkcs11 is libmynacard-pkcs11.so, the PKCS #11 v2.40 module for
// the Individual Number Card (build: make pkcs11, or go build
// -buildmode=c-shared). This package is only the C ABI: it checks
// pointers and buffer sizes, copies between C and Go, and calls
// pkcs11/internal/p11, which holds the logic.
package main

/*
#include <stdlib.h>
#include <string.h>
#include "ck.h"
*/
import "C"

import (
	"sync"
	"unsafe"

	"github.com/mynacard/mynacard/pkcs11/internal/p11"
)

func main() {}

var mod = p11.New(p11.NewPCSCBackend, p11.LoadConfig)

const (
	ckrOK             = C.CK_RV(p11.CKR_OK)
	ckrArgumentsBad   = C.CK_RV(p11.CKR_ARGUMENTS_BAD)
	ckrBufferTooSmall = C.CK_RV(p11.CKR_BUFFER_TOO_SMALL)

	ckrNeedToCreateThreads        = C.CK_RV(0x009) // CKR_NEED_TO_CREATE_THREADS
	ckfLibraryCantCreateOSThreads = 0x1            // CKF_LIBRARY_CANT_CREATE_OS_THREADS
)

// appMutex is the application's mutex, taken through its functions.
// Callers queue on gomu first, so the application's mutex is never
// contended: a thread waiting inside the application's LockMutex (a C
// call) would hold a Go processor until the runtime's monitor took it
// back, while one parked on gomu gives it up at once to the thread doing
// the card I/O.
type appMutex struct {
	gomu    sync.Mutex
	lock    C.CK_LOCKMUTEX
	unlock  C.CK_UNLOCKMUTEX
	destroy C.CK_DESTROYMUTEX
	m       C.CK_VOID_PTR
}

// initMu guards appLock, the application's mutex between C_Initialize and
// C_Finalize (nil when the module uses its own locks).
var (
	initMu  sync.Mutex
	appLock *appMutex
)

func (a *appMutex) Lock() {
	a.gomu.Lock()
	C.mynacard_lock_mutex(a.lock, a.m)
}

func (a *appMutex) Unlock() {
	C.mynacard_unlock_mutex(a.unlock, a.m)
	a.gomu.Unlock()
}

//export C_Initialize
func C_Initialize(pInitArgs C.CK_VOID_PTR) C.CK_RV {
	initMu.Lock()
	defer initMu.Unlock()
	var lock p11.Locker
	var app *appMutex
	if pInitArgs != nil {
		a := (*C.CK_C_INITIALIZE_ARGS)(pInitArgs)
		if a.pReserved != nil {
			return ckrArgumentsBad
		}
		// CKF_LIBRARY_CANT_CREATE_OS_THREADS is accepted: GnuTLS sets
		// it, and the Go runtime's threads exist from the library's
		// load, not from the application's calls.
		n := 0
		for _, f := range []unsafe.Pointer{unsafe.Pointer(a.CreateMutex), unsafe.Pointer(a.DestroyMutex), unsafe.Pointer(a.LockMutex), unsafe.Pointer(a.UnlockMutex)} {
			if f != nil {
				n++
			}
		}
		if n != 0 && n != 4 {
			return ckrArgumentsBad
		}
		// With CKF_OS_LOCKING_OK the module uses its own (Go's) locks,
		// which are the operating system's; with only the application's
		// functions, it uses them.
		if n == 4 && a.flags&p11.CKF_OS_LOCKING_OK == 0 {
			var m C.CK_VOID_PTR
			if rv := C.mynacard_create_mutex(a, &m); rv != ckrOK {
				return rv
			}
			app = &appMutex{lock: a.LockMutex, unlock: a.UnlockMutex, destroy: a.DestroyMutex, m: m}
			lock = app
		}
	}
	rv := mod.Initialize(lock)
	if rv != p11.CKR_OK {
		if app != nil {
			C.mynacard_destroy_mutex(app.destroy, app.m)
		}
		return C.CK_RV(rv)
	}
	appLock = app
	return ckrOK
}

//export C_Finalize
func C_Finalize(pReserved C.CK_VOID_PTR) C.CK_RV {
	if pReserved != nil {
		return ckrArgumentsBad
	}
	initMu.Lock()
	defer initMu.Unlock()
	rv := mod.Finalize()
	if rv == p11.CKR_OK && appLock != nil {
		C.mynacard_destroy_mutex(appLock.destroy, appLock.m)
		appLock = nil
	}
	return C.CK_RV(rv)
}

// pad writes s into a blank-padded fixed field, cutting only between
// UTF-8 characters.
func pad(dst unsafe.Pointer, n int, s string) {
	b := unsafe.Slice((*byte)(dst), n)
	for i := range b {
		b[i] = ' '
	}
	i := 0
	for _, r := range s {
		l := len(string(r))
		if i+l > n {
			break
		}
		copy(b[i:], string(r))
		i += l
	}
}

//export C_GetInfo
func C_GetInfo(pInfo *C.CK_INFO) C.CK_RV {
	if pInfo == nil {
		return ckrArgumentsBad
	}
	in, rv := mod.GetInfo()
	if rv != p11.CKR_OK {
		return C.CK_RV(rv)
	}
	*pInfo = C.CK_INFO{}
	pInfo.cryptokiVersion = C.CK_VERSION{major: 2, minor: 40}
	pad(unsafe.Pointer(&pInfo.manufacturerID[0]), 32, in.Manufacturer)
	pad(unsafe.Pointer(&pInfo.libraryDescription[0]), 32, in.Description)
	pInfo.libraryVersion = C.CK_VERSION{major: C.CK_BYTE(in.Major), minor: C.CK_BYTE(in.Minor)}
	return ckrOK
}

// ulongList implements the PKCS#11 convention for returned arrays (§5.2):
// a NULL buffer asks for the count, a short one gets
// CKR_BUFFER_TOO_SMALL with the count.
func ulongList(vals []uint, p *C.CK_ULONG, pn *C.CK_ULONG) C.CK_RV {
	if pn == nil {
		return ckrArgumentsBad
	}
	if p == nil {
		*pn = C.CK_ULONG(len(vals))
		return ckrOK
	}
	if int(*pn) < len(vals) {
		*pn = C.CK_ULONG(len(vals))
		return ckrBufferTooSmall
	}
	out := unsafe.Slice(p, len(vals))
	for i, v := range vals {
		out[i] = C.CK_ULONG(v)
	}
	*pn = C.CK_ULONG(len(vals))
	return ckrOK
}

//export C_GetSlotList
func C_GetSlotList(tokenPresent C.CK_BBOOL, pSlotList *C.CK_SLOT_ID, pulCount *C.CK_ULONG) C.CK_RV {
	if pulCount == nil {
		return ckrArgumentsBad
	}
	ids, rv := mod.GetSlotList(tokenPresent != 0)
	if rv != p11.CKR_OK {
		return C.CK_RV(rv)
	}
	return ulongList(ids, (*C.CK_ULONG)(pSlotList), pulCount)
}

//export C_GetSlotInfo
func C_GetSlotInfo(slotID C.CK_SLOT_ID, pInfo *C.CK_SLOT_INFO) C.CK_RV {
	if pInfo == nil {
		return ckrArgumentsBad
	}
	in, rv := mod.GetSlotInfo(uint(slotID))
	if rv != p11.CKR_OK {
		return C.CK_RV(rv)
	}
	*pInfo = C.CK_SLOT_INFO{}
	pad(unsafe.Pointer(&pInfo.slotDescription[0]), 64, in.Description)
	pad(unsafe.Pointer(&pInfo.manufacturerID[0]), 32, in.Manufacturer)
	pInfo.flags = C.CK_FLAGS(in.Flags)
	return ckrOK
}

//export C_GetTokenInfo
func C_GetTokenInfo(slotID C.CK_SLOT_ID, pInfo *C.CK_TOKEN_INFO) C.CK_RV {
	if pInfo == nil {
		return ckrArgumentsBad
	}
	in, rv := mod.GetTokenInfo(uint(slotID))
	if rv != p11.CKR_OK {
		return C.CK_RV(rv)
	}
	*pInfo = C.CK_TOKEN_INFO{}
	pad(unsafe.Pointer(&pInfo.label[0]), 32, in.Label)
	pad(unsafe.Pointer(&pInfo.manufacturerID[0]), 32, in.Manufacturer)
	pad(unsafe.Pointer(&pInfo.model[0]), 16, in.Model)
	pad(unsafe.Pointer(&pInfo.serialNumber[0]), 16, in.Serial)
	pad(unsafe.Pointer(&pInfo.utcTime[0]), 16, "")
	pInfo.flags = C.CK_FLAGS(in.Flags)
	pInfo.ulMaxSessionCount = p11.EffectivelyInfinite
	pInfo.ulSessionCount = C.CK_ULONG(in.Sessions)
	pInfo.ulMaxRwSessionCount = p11.EffectivelyInfinite
	pInfo.ulRwSessionCount = C.CK_ULONG(in.RWSessions)
	pInfo.ulMaxPinLen = C.CK_ULONG(in.MaxPIN)
	pInfo.ulMinPinLen = C.CK_ULONG(in.MinPIN)
	un := C.CK_ULONG(p11.Unavailable)
	pInfo.ulTotalPublicMemory, pInfo.ulFreePublicMemory = un, un
	pInfo.ulTotalPrivateMemory, pInfo.ulFreePrivateMemory = un, un
	return ckrOK
}

//export C_GetMechanismList
func C_GetMechanismList(slotID C.CK_SLOT_ID, pMechanismList *C.CK_MECHANISM_TYPE, pulCount *C.CK_ULONG) C.CK_RV {
	if pulCount == nil {
		return ckrArgumentsBad
	}
	ms, rv := mod.GetMechanismList(uint(slotID))
	if rv != p11.CKR_OK {
		return C.CK_RV(rv)
	}
	return ulongList(ms, (*C.CK_ULONG)(pMechanismList), pulCount)
}

//export C_GetMechanismInfo
func C_GetMechanismInfo(slotID C.CK_SLOT_ID, typ C.CK_MECHANISM_TYPE, pInfo *C.CK_MECHANISM_INFO) C.CK_RV {
	if pInfo == nil {
		return ckrArgumentsBad
	}
	in, rv := mod.GetMechanismInfo(uint(slotID), uint(typ))
	if rv != p11.CKR_OK {
		return C.CK_RV(rv)
	}
	pInfo.ulMinKeySize = C.CK_ULONG(in.MinKey)
	pInfo.ulMaxKeySize = C.CK_ULONG(in.MaxKey)
	pInfo.flags = C.CK_FLAGS(in.Flags)
	return ckrOK
}

//export C_OpenSession
func C_OpenSession(slotID C.CK_SLOT_ID, flags C.CK_FLAGS, pApplication C.CK_VOID_PTR, notify C.CK_NOTIFY, phSession *C.CK_SESSION_HANDLE) C.CK_RV {
	if phSession == nil {
		return ckrArgumentsBad
	}
	// Notify callbacks are optional for a module (§5.16) and never made.
	h, rv := mod.OpenSession(uint(slotID), uint(flags))
	if rv != p11.CKR_OK {
		return C.CK_RV(rv)
	}
	*phSession = C.CK_SESSION_HANDLE(h)
	return ckrOK
}

//export C_CloseSession
func C_CloseSession(hSession C.CK_SESSION_HANDLE) C.CK_RV {
	return C.CK_RV(mod.CloseSession(uint(hSession)))
}

//export C_CloseAllSessions
func C_CloseAllSessions(slotID C.CK_SLOT_ID) C.CK_RV {
	return C.CK_RV(mod.CloseAllSessions(uint(slotID)))
}

//export C_GetSessionInfo
func C_GetSessionInfo(hSession C.CK_SESSION_HANDLE, pInfo *C.CK_SESSION_INFO) C.CK_RV {
	if pInfo == nil {
		return ckrArgumentsBad
	}
	in, rv := mod.GetSessionInfo(uint(hSession))
	if rv != p11.CKR_OK {
		return C.CK_RV(rv)
	}
	pInfo.slotID = C.CK_SLOT_ID(in.Slot)
	pInfo.state = C.CK_ULONG(in.State)
	pInfo.flags = C.CK_FLAGS(in.Flags)
	pInfo.ulDeviceError = 0
	return ckrOK
}

//export C_Login
func C_Login(hSession C.CK_SESSION_HANDLE, userType C.CK_USER_TYPE, pPin *C.CK_UTF8CHAR, ulPinLen C.CK_ULONG) C.CK_RV {
	var pin []byte
	if pPin != nil {
		if ulPinLen > 64 {
			return C.CK_RV(p11.CKR_PIN_INCORRECT)
		}
		pin = make([]byte, int(ulPinLen))
		copy(pin, unsafe.Slice((*byte)(pPin), int(ulPinLen)))
	} else if ulPinLen != 0 {
		return ckrArgumentsBad
	}
	rv := mod.Login(uint(hSession), uint(userType), pin)
	clear(pin)
	return C.CK_RV(rv)
}

//export C_Logout
func C_Logout(hSession C.CK_SESSION_HANDLE) C.CK_RV {
	return C.CK_RV(mod.Logout(uint(hSession)))
}

//export C_GetObjectSize
func C_GetObjectSize(hSession C.CK_SESSION_HANDLE, hObject C.CK_OBJECT_HANDLE, pulSize *C.CK_ULONG) C.CK_RV {
	if pulSize == nil {
		return ckrArgumentsBad
	}
	n, rv := mod.GetObjectSize(uint(hSession), uint(hObject))
	if rv != p11.CKR_OK {
		return C.CK_RV(rv)
	}
	*pulSize = C.CK_ULONG(n)
	return ckrOK
}

//export C_GetAttributeValue
func C_GetAttributeValue(hSession C.CK_SESSION_HANDLE, hObject C.CK_OBJECT_HANDLE, pTemplate *C.CK_ATTRIBUTE, ulCount C.CK_ULONG) C.CK_RV {
	if pTemplate == nil && ulCount != 0 {
		return ckrArgumentsBad
	}
	tmpl := unsafe.Slice(pTemplate, int(ulCount))
	types := make([]uint, len(tmpl))
	for i := range tmpl {
		types[i] = uint(tmpl[i]._type)
	}
	res, rv := mod.GetAttributeValue(uint(hSession), uint(hObject), types)
	if rv != p11.CKR_OK {
		return C.CK_RV(rv)
	}
	// §5.7: every attribute is processed; the call returns one of the
	// per-attribute errors if any occurred.
	out := ckrOK
	for i := range tmpl {
		a := &tmpl[i]
		r := res[i]
		switch {
		case r.RV != p11.CKR_OK:
			a.ulValueLen = C.CK_ULONG(p11.Unavailable)
			out = C.CK_RV(r.RV)
		case a.pValue == nil:
			a.ulValueLen = C.CK_ULONG(len(r.Value))
		case int(a.ulValueLen) < len(r.Value):
			a.ulValueLen = C.CK_ULONG(p11.Unavailable)
			out = ckrBufferTooSmall
		default:
			if len(r.Value) > 0 {
				copy(unsafe.Slice((*byte)(a.pValue), len(r.Value)), r.Value)
			}
			a.ulValueLen = C.CK_ULONG(len(r.Value))
		}
	}
	return out
}

//export C_FindObjectsInit
func C_FindObjectsInit(hSession C.CK_SESSION_HANDLE, pTemplate *C.CK_ATTRIBUTE, ulCount C.CK_ULONG) C.CK_RV {
	if pTemplate == nil && ulCount != 0 {
		return ckrArgumentsBad
	}
	tmpl := unsafe.Slice(pTemplate, int(ulCount))
	attrs := make([]p11.Attribute, len(tmpl))
	for i, a := range tmpl {
		attrs[i].Type = uint(a._type)
		if a.ulValueLen > 0 {
			if a.pValue == nil {
				return ckrArgumentsBad
			}
			attrs[i].Value = C.GoBytes(unsafe.Pointer(a.pValue), C.int(a.ulValueLen))
		} else {
			attrs[i].Value = []byte{}
		}
	}
	return C.CK_RV(mod.FindObjectsInit(uint(hSession), attrs))
}

//export C_FindObjects
func C_FindObjects(hSession C.CK_SESSION_HANDLE, phObject *C.CK_OBJECT_HANDLE, ulMaxObjectCount C.CK_ULONG, pulObjectCount *C.CK_ULONG) C.CK_RV {
	if pulObjectCount == nil || (phObject == nil && ulMaxObjectCount != 0) {
		return ckrArgumentsBad
	}
	hs, rv := mod.FindObjects(uint(hSession), int(ulMaxObjectCount))
	if rv != p11.CKR_OK {
		return C.CK_RV(rv)
	}
	out := unsafe.Slice(phObject, len(hs))
	for i, h := range hs {
		out[i] = C.CK_OBJECT_HANDLE(h)
	}
	*pulObjectCount = C.CK_ULONG(len(hs))
	return ckrOK
}

//export C_FindObjectsFinal
func C_FindObjectsFinal(hSession C.CK_SESSION_HANDLE) C.CK_RV {
	return C.CK_RV(mod.FindObjectsFinal(uint(hSession)))
}

//export C_SignInit
func C_SignInit(hSession C.CK_SESSION_HANDLE, pMechanism *C.CK_MECHANISM, hKey C.CK_OBJECT_HANDLE) C.CK_RV {
	if pMechanism == nil {
		return ckrArgumentsBad
	}
	var param []byte
	if pMechanism.pParameter != nil && pMechanism.ulParameterLen > 0 {
		param = C.GoBytes(unsafe.Pointer(pMechanism.pParameter), C.int(pMechanism.ulParameterLen))
	}
	return C.CK_RV(mod.SignInit(uint(hSession), uint(pMechanism.mechanism), param, uint(hKey)))
}

// sigOut handles the output buffer of C_Sign and C_SignFinal (§5.2): a
// NULL buffer or one too short leaves the operation active.
func sigOut(h C.CK_SESSION_HANDLE, pSignature *C.CK_BYTE, pulSignatureLen *C.CK_ULONG) (done bool, rv C.CK_RV) {
	if pulSignatureLen == nil {
		return true, ckrArgumentsBad
	}
	n, r := mod.SignLength(uint(h))
	if r != p11.CKR_OK {
		return true, C.CK_RV(r)
	}
	if pSignature == nil {
		*pulSignatureLen = C.CK_ULONG(n)
		return true, ckrOK
	}
	if int(*pulSignatureLen) < n {
		*pulSignatureLen = C.CK_ULONG(n)
		return true, ckrBufferTooSmall
	}
	return false, ckrOK
}

func putSig(sig []byte, pSignature *C.CK_BYTE, pulSignatureLen *C.CK_ULONG) {
	copy(unsafe.Slice((*byte)(pSignature), len(sig)), sig)
	*pulSignatureLen = C.CK_ULONG(len(sig))
}

//export C_Sign
func C_Sign(hSession C.CK_SESSION_HANDLE, pData *C.CK_BYTE, ulDataLen C.CK_ULONG, pSignature *C.CK_BYTE, pulSignatureLen *C.CK_ULONG) C.CK_RV {
	if pData == nil && ulDataLen != 0 {
		return ckrArgumentsBad
	}
	if done, rv := sigOut(hSession, pSignature, pulSignatureLen); done {
		return rv
	}
	data := C.GoBytes(unsafe.Pointer(pData), C.int(ulDataLen))
	sig, rv := mod.Sign(uint(hSession), data)
	if rv != p11.CKR_OK {
		return C.CK_RV(rv)
	}
	putSig(sig, pSignature, pulSignatureLen)
	return ckrOK
}

//export C_SignUpdate
func C_SignUpdate(hSession C.CK_SESSION_HANDLE, pPart *C.CK_BYTE, ulPartLen C.CK_ULONG) C.CK_RV {
	if pPart == nil && ulPartLen != 0 {
		return ckrArgumentsBad
	}
	return C.CK_RV(mod.SignUpdate(uint(hSession), C.GoBytes(unsafe.Pointer(pPart), C.int(ulPartLen))))
}

//export C_SignFinal
func C_SignFinal(hSession C.CK_SESSION_HANDLE, pSignature *C.CK_BYTE, pulSignatureLen *C.CK_ULONG) C.CK_RV {
	if done, rv := sigOut(hSession, pSignature, pulSignatureLen); done {
		return rv
	}
	sig, rv := mod.SignFinal(uint(hSession))
	if rv != p11.CKR_OK {
		return C.CK_RV(rv)
	}
	putSig(sig, pSignature, pulSignatureLen)
	return ckrOK
}

//export C_WaitForSlotEvent
func C_WaitForSlotEvent(flags C.CK_FLAGS, pSlot *C.CK_SLOT_ID, pReserved C.CK_VOID_PTR) C.CK_RV {
	if pSlot == nil || pReserved != nil {
		return ckrArgumentsBad
	}
	id, rv := mod.WaitForSlotEvent(flags&p11.CKF_DONT_BLOCK != 0)
	if rv != p11.CKR_OK {
		return C.CK_RV(rv)
	}
	*pSlot = C.CK_SLOT_ID(id)
	return ckrOK
}
