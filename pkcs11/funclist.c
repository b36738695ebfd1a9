/* CK_FUNCTION_LIST and C_GetFunctionList, the functions the module does
 * not support (CKR_FUNCTION_NOT_SUPPORTED: the card's keys cannot be
 * created, changed, exported, used to decrypt, and the card has no digest
 * or random service the module offers), and the calls of the application's
 * mutex functions. The supported functions are the Go exports. */
#include <stddef.h>
#include "ck.h"
#include "_cgo_export.h"

#define NS(name, ...) static CK_RV name(__VA_ARGS__) { return 0x54; /* CKR_FUNCTION_NOT_SUPPORTED */ }

NS(ns_InitToken, CK_SLOT_ID a, CK_UTF8CHAR *b, CK_ULONG c, CK_UTF8CHAR *d)
NS(ns_InitPIN, CK_SESSION_HANDLE a, CK_UTF8CHAR *b, CK_ULONG c)
NS(ns_SetPIN, CK_SESSION_HANDLE a, CK_UTF8CHAR *b, CK_ULONG c, CK_UTF8CHAR *d, CK_ULONG e)
NS(ns_GetOperationState, CK_SESSION_HANDLE a, CK_BYTE *b, CK_ULONG *c)
NS(ns_SetOperationState, CK_SESSION_HANDLE a, CK_BYTE *b, CK_ULONG c, CK_OBJECT_HANDLE d, CK_OBJECT_HANDLE e)
NS(ns_CreateObject, CK_SESSION_HANDLE a, CK_ATTRIBUTE *b, CK_ULONG c, CK_OBJECT_HANDLE *d)
NS(ns_CopyObject, CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b, CK_ATTRIBUTE *c, CK_ULONG d, CK_OBJECT_HANDLE *e)
NS(ns_DestroyObject, CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b)
NS(ns_SetAttributeValue, CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b, CK_ATTRIBUTE *c, CK_ULONG d)
NS(ns_CryptInit, CK_SESSION_HANDLE a, CK_MECHANISM *b, CK_OBJECT_HANDLE c)
NS(ns_Crypt, CK_SESSION_HANDLE a, CK_BYTE *b, CK_ULONG c, CK_BYTE *d, CK_ULONG *e)
NS(ns_CryptFinal, CK_SESSION_HANDLE a, CK_BYTE *b, CK_ULONG *c)
NS(ns_DigestInit, CK_SESSION_HANDLE a, CK_MECHANISM *b)
NS(ns_Update, CK_SESSION_HANDLE a, CK_BYTE *b, CK_ULONG c)
NS(ns_DigestKey, CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b)
NS(ns_Verify, CK_SESSION_HANDLE a, CK_BYTE *b, CK_ULONG c, CK_BYTE *d, CK_ULONG e)
NS(ns_VerifyFinal, CK_SESSION_HANDLE a, CK_BYTE *b, CK_ULONG c)
NS(ns_GenerateKey, CK_SESSION_HANDLE a, CK_MECHANISM *b, CK_ATTRIBUTE *c, CK_ULONG d, CK_OBJECT_HANDLE *e)
NS(ns_GenerateKeyPair, CK_SESSION_HANDLE a, CK_MECHANISM *b, CK_ATTRIBUTE *c, CK_ULONG d, CK_ATTRIBUTE *e, CK_ULONG f, CK_OBJECT_HANDLE *g, CK_OBJECT_HANDLE *h)
NS(ns_WrapKey, CK_SESSION_HANDLE a, CK_MECHANISM *b, CK_OBJECT_HANDLE c, CK_OBJECT_HANDLE d, CK_BYTE *e, CK_ULONG *f)
NS(ns_UnwrapKey, CK_SESSION_HANDLE a, CK_MECHANISM *b, CK_OBJECT_HANDLE c, CK_BYTE *d, CK_ULONG e, CK_ATTRIBUTE *f, CK_ULONG g, CK_OBJECT_HANDLE *h)
NS(ns_DeriveKey, CK_SESSION_HANDLE a, CK_MECHANISM *b, CK_OBJECT_HANDLE c, CK_ATTRIBUTE *d, CK_ULONG e, CK_OBJECT_HANDLE *f)
NS(ns_SeedRandom, CK_SESSION_HANDLE a, CK_BYTE *b, CK_ULONG c)
NS(ns_GenerateRandom, CK_SESSION_HANDLE a, CK_BYTE *b, CK_ULONG c)

/* Legacy parallel functions: CKR_FUNCTION_NOT_PARALLEL. */
static CK_RV np_Function(CK_SESSION_HANDLE a) { return 0x51; }

typedef CK_RV (*FP)(); /* entries are cast to their real types below */

struct mynacard_function_list {
	CK_VERSION version;
	void *f[68];
};

CK_RV C_GetFunctionList(void **ppFunctionList);

static struct mynacard_function_list list = {
	{2, 40},
	{
		(void *)C_Initialize, (void *)C_Finalize, (void *)C_GetInfo, (void *)C_GetFunctionList,
		(void *)C_GetSlotList, (void *)C_GetSlotInfo, (void *)C_GetTokenInfo,
		(void *)C_GetMechanismList, (void *)C_GetMechanismInfo,
		(void *)ns_InitToken, (void *)ns_InitPIN, (void *)ns_SetPIN,
		(void *)C_OpenSession, (void *)C_CloseSession, (void *)C_CloseAllSessions,
		(void *)C_GetSessionInfo, (void *)ns_GetOperationState, (void *)ns_SetOperationState,
		(void *)C_Login, (void *)C_Logout,
		(void *)ns_CreateObject, (void *)ns_CopyObject, (void *)ns_DestroyObject,
		(void *)C_GetObjectSize, (void *)C_GetAttributeValue, (void *)ns_SetAttributeValue,
		(void *)C_FindObjectsInit, (void *)C_FindObjects, (void *)C_FindObjectsFinal,
		/* Encrypt */ (void *)ns_CryptInit, (void *)ns_Crypt, (void *)ns_Crypt, (void *)ns_CryptFinal,
		/* Decrypt */ (void *)ns_CryptInit, (void *)ns_Crypt, (void *)ns_Crypt, (void *)ns_CryptFinal,
		/* Digest */ (void *)ns_DigestInit, (void *)ns_Crypt, (void *)ns_Update, (void *)ns_DigestKey, (void *)ns_CryptFinal,
		(void *)C_SignInit, (void *)C_Sign, (void *)C_SignUpdate, (void *)C_SignFinal,
		/* SignRecover */ (void *)ns_CryptInit, (void *)ns_Crypt,
		/* Verify */ (void *)ns_CryptInit, (void *)ns_Verify, (void *)ns_Update, (void *)ns_VerifyFinal,
		/* VerifyRecover */ (void *)ns_CryptInit, (void *)ns_Crypt,
		/* dual-function */ (void *)ns_Crypt, (void *)ns_Crypt, (void *)ns_Crypt, (void *)ns_Crypt,
		(void *)ns_GenerateKey, (void *)ns_GenerateKeyPair, (void *)ns_WrapKey, (void *)ns_UnwrapKey,
		(void *)ns_DeriveKey, (void *)ns_SeedRandom, (void *)ns_GenerateRandom,
		(void *)np_Function, (void *)np_Function,
		(void *)C_WaitForSlotEvent,
	},
};

CK_RV C_GetFunctionList(void **ppFunctionList)
{
	if (ppFunctionList == NULL)
		return 0x7; /* CKR_ARGUMENTS_BAD */
	*ppFunctionList = &list;
	return 0;
}

CK_RV mynacard_create_mutex(CK_C_INITIALIZE_ARGS *a, CK_VOID_PTR *m) { return a->CreateMutex(m); }
CK_RV mynacard_destroy_mutex(CK_DESTROYMUTEX f, CK_VOID_PTR m) { return f(m); }
CK_RV mynacard_lock_mutex(CK_LOCKMUTEX f, CK_VOID_PTR m) { return f(m); }
CK_RV mynacard_unlock_mutex(CK_UNLOCKMUTEX f, CK_VOID_PTR m) { return f(m); }
