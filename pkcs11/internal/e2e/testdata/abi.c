/* abi: drives libmynacard-pkcs11.so through the OASIS headers (those
 * github.com/miekg/pkcs11 carries), for what the Go harness cannot reach:
 * C_Initialize with the application's mutex functions, argument checks,
 * buffer-size conventions and the functions the module does not support.
 * Usage: abi MODULE. Prints "ok" or the first failed check; exit 0/1. */
#include <dlfcn.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pkcs11go.h"

static int creates, destroys, locks, unlocks;

static CK_RV create_mutex(CK_VOID_PTR_PTR m)
{
	pthread_mutex_t *p = malloc(sizeof *p);
	pthread_mutex_init(p, NULL);
	*m = p;
	__atomic_add_fetch(&creates, 1, __ATOMIC_SEQ_CST);
	return CKR_OK;
}
static CK_RV destroy_mutex(CK_VOID_PTR m)
{
	pthread_mutex_destroy(m);
	free(m);
	__atomic_add_fetch(&destroys, 1, __ATOMIC_SEQ_CST);
	return CKR_OK;
}
static CK_RV lock_mutex(CK_VOID_PTR m)
{
	__atomic_add_fetch(&locks, 1, __ATOMIC_SEQ_CST);
	return pthread_mutex_lock(m) ? CKR_GENERAL_ERROR : CKR_OK;
}
static CK_RV unlock_mutex(CK_VOID_PTR m)
{
	__atomic_add_fetch(&unlocks, 1, __ATOMIC_SEQ_CST);
	return pthread_mutex_unlock(m) ? CKR_GENERAL_ERROR : CKR_OK;
}

static CK_FUNCTION_LIST_PTR fl;
static int thread_failures;

/* worker: token info, a session, a certificate search, many times, from
 * one of several threads, with the module locking through the
 * application's mutex functions. */
static void *worker(void *arg)
{
	CK_SLOT_ID slot = (CK_SLOT_ID)(uintptr_t)arg;
	for (int i = 0; i < 10; i++) {
		CK_TOKEN_INFO ti;
		CK_SESSION_HANDLE s;
		CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
		CK_ATTRIBUTE q = {CKA_CLASS, &cls, sizeof cls};
		CK_OBJECT_HANDLE o[2];
		CK_ULONG n = 0;
		if (fl->C_GetTokenInfo(slot, &ti) != CKR_OK ||
		    fl->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK ||
		    fl->C_FindObjectsInit(s, &q, 1) != CKR_OK ||
		    fl->C_FindObjects(s, o, 2, &n) != CKR_OK || n != 1 ||
		    fl->C_FindObjectsFinal(s) != CKR_OK ||
		    fl->C_CloseSession(s) != CKR_OK) {
			__atomic_add_fetch(&thread_failures, 1, __ATOMIC_SEQ_CST);
			return NULL;
		}
	}
	return NULL;
}

#define CHECK(cond, ...) do { if (!(cond)) { printf(__VA_ARGS__); printf("\n"); return 1; } } while (0)
#define RV(call, want) do { CK_RV rv_ = (call); CHECK(rv_ == (want), "%s = 0x%lx, want 0x%lx", #call, rv_, (CK_RV)(want)); } while (0)

int main(int argc, char **argv)
{
	if (argc != 2) { printf("usage: abi MODULE\n"); return 2; }
	void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	CHECK(h != NULL, "dlopen: %s", dlerror());
	CK_C_GetFunctionList gfl = (CK_C_GetFunctionList)dlsym(h, "C_GetFunctionList");
	CHECK(gfl != NULL, "no C_GetFunctionList");
	RV(gfl(NULL), CKR_ARGUMENTS_BAD);
	CK_FUNCTION_LIST_PTR f = NULL;
	RV(gfl(&f), CKR_OK);
	CHECK(f->version.major == 2 && f->version.minor == 40, "version %d.%d", f->version.major, f->version.minor);
	void **fp = (void **)&f->C_Initialize;
	for (int i = 0; i < 68; i++)
		CHECK(fp[i] != NULL, "function %d is NULL", i);
	CHECK(f->C_WaitForSlotEvent == dlsym(h, "C_WaitForSlotEvent"), "C_WaitForSlotEvent is not the last entry");
	CHECK(f->C_SignFinal == dlsym(h, "C_SignFinal"), "C_SignFinal misplaced");
	CHECK(f->C_FindObjects == dlsym(h, "C_FindObjects"), "C_FindObjects misplaced");

	CK_ULONG n = 0;
	RV(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
	CK_C_INITIALIZE_ARGS a;
	memset(&a, 0, sizeof a);
	a.pReserved = &n;
	RV(f->C_Initialize(&a), CKR_ARGUMENTS_BAD);
	memset(&a, 0, sizeof a);
	a.CreateMutex = create_mutex;
	RV(f->C_Initialize(&a), CKR_ARGUMENTS_BAD); /* some but not all functions */
	a.DestroyMutex = destroy_mutex;
	a.LockMutex = lock_mutex;
	a.UnlockMutex = unlock_mutex;
	RV(f->C_Initialize(&a), CKR_OK); /* no CKF_OS_LOCKING_OK: the module must use these */
	RV(f->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	CHECK(creates == 1, "CreateMutex called %d times", creates);

	locks = 0;
	RV(f->C_GetSlotList(CK_TRUE, NULL, NULL), CKR_ARGUMENTS_BAD);
	RV(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	CHECK(n == 2, "%lu slots with a token, want 2", n);
	CHECK(locks > 0 && locks == unlocks, "application mutex: %d locks, %d unlocks", locks, unlocks);
	CK_SLOT_ID slots[2];
	n = 1;
	RV(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_BUFFER_TOO_SMALL);
	CHECK(n == 2, "count after CKR_BUFFER_TOO_SMALL: %lu", n);
	RV(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);

	CK_TOKEN_INFO ti;
	RV(f->C_GetTokenInfo(slots[0], NULL), CKR_ARGUMENTS_BAD);
	RV(f->C_GetTokenInfo(slots[0], &ti), CKR_OK);
	static const char label[] = "JPKI \xe5\x88\xa9\xe7\x94\xa8\xe8\x80\x85\xe8\xa8\xbc\xe6\x98\x8e\xe7\x94\xa8 ";
	CHECK(memcmp(ti.label, label, sizeof label - 1) == 0 && ti.label[31] == ' ', "label %.32s", ti.label);
	CHECK(ti.flags & CKF_LOGIN_REQUIRED, "flags 0x%lx", ti.flags);
	CHECK(ti.ulMinPinLen == 4 && ti.ulMaxPinLen == 4, "PIN lengths %lu..%lu", ti.ulMinPinLen, ti.ulMaxPinLen);
	RV(f->C_GetTokenInfo(99, &ti), CKR_SLOT_ID_INVALID);

	CK_MECHANISM_INFO mi;
	RV(f->C_GetMechanismInfo(slots[0], CKM_SHA256_RSA_PKCS, &mi), CKR_OK);
	CHECK(mi.ulMinKeySize == 2048 && (mi.flags & CKF_SIGN) && !(mi.flags & CKF_DECRYPT), "mechanism info");
	RV(f->C_GetMechanismInfo(slots[0], CKM_RSA_PKCS_PSS, &mi), CKR_MECHANISM_INVALID);

	CK_SESSION_HANDLE s;
	RV(f->C_OpenSession(slots[0], CKF_RW_SESSION, NULL, NULL, &s), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	RV(f->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_ATTRIBUTE q = {CKA_CLASS, &cls, sizeof cls};
	RV(f->C_FindObjectsInit(s, &q, 1), CKR_OK);
	CK_OBJECT_HANDLE o[4];
	RV(f->C_FindObjects(s, o, 4, &n), CKR_OK);
	CHECK(n == 1, "%lu certificates", n);
	RV(f->C_FindObjectsFinal(s), CKR_OK);
	RV(f->C_FindObjectsFinal(s), CKR_OPERATION_NOT_INITIALIZED);

	unsigned char small[8];
	CK_ATTRIBUTE at[3] = {{CKA_VALUE, NULL, 0}, {CKA_SUBJECT, small, sizeof small}, {0x7fff1234, NULL, 0}};
	RV(f->C_GetAttributeValue(s, o[0], at, 3), CKR_ATTRIBUTE_TYPE_INVALID);
	CHECK(at[0].ulValueLen > 500 && at[0].ulValueLen < 4000, "certificate length %lu", at[0].ulValueLen);
	CHECK(at[1].ulValueLen == CK_UNAVAILABLE_INFORMATION, "short buffer length %lu", at[1].ulValueLen);
	CHECK(at[2].ulValueLen == CK_UNAVAILABLE_INFORMATION, "unknown attribute length %lu", at[2].ulValueLen);
	CK_ATTRIBUTE one[1] = {{CKA_SUBJECT, small, sizeof small}};
	RV(f->C_GetAttributeValue(s, o[0], one, 1), CKR_BUFFER_TOO_SMALL);
	RV(f->C_GetAttributeValue(s, 12345, one, 1), CKR_OBJECT_HANDLE_INVALID);

	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	RV(f->C_EncryptInit(s, &m, o[0]), CKR_FUNCTION_NOT_SUPPORTED);
	RV(f->C_DecryptInit(s, &m, o[0]), CKR_FUNCTION_NOT_SUPPORTED);
	RV(f->C_GenerateRandom(s, small, sizeof small), CKR_FUNCTION_NOT_SUPPORTED);
	RV(f->C_DestroyObject(s, o[0]), CKR_FUNCTION_NOT_SUPPORTED);
	RV(f->C_GetFunctionStatus(s), CKR_FUNCTION_NOT_PARALLEL);
	RV(f->C_SignInit(s, &m, o[0]), CKR_KEY_FUNCTION_NOT_PERMITTED);
	CK_ULONG sl = 0;
	RV(f->C_Sign(s, small, 1, NULL, &sl), CKR_OPERATION_NOT_INITIALIZED);
	RV(f->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR) "0000", 4), CKR_USER_TYPE_INVALID);

	CK_SLOT_ID ev;
	RV(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &ev, NULL), CKR_NO_EVENT);

	fl = f;
	pthread_t th[6];
	for (int i = 0; i < 6; i++)
		CHECK(pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)slots[0]) == 0, "pthread_create");
	for (int i = 0; i < 6; i++)
		pthread_join(th[i], NULL);
	CHECK(thread_failures == 0, "%d of 6 threads failed", thread_failures);
	CHECK(locks == unlocks, "application mutex after the threads: %d locks, %d unlocks", locks, unlocks);
	RV(f->C_CloseSession(s), CKR_OK);
	RV(f->C_CloseSession(s), CKR_SESSION_HANDLE_INVALID);
	RV(f->C_Finalize(&n), CKR_ARGUMENTS_BAD);
	RV(f->C_Finalize(NULL), CKR_OK);
	CHECK(destroys == 1, "DestroyMutex called %d times", destroys);
	RV(f->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	printf("ok\n");
	return 0;
}
