package main

import (
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"github.com/mynacard/mynacard/internal/i18n"
)

// msgKey names a message that only this command uses; the product-wide
// wording (PIN prompts, verdicts, eligibility, hints) is in internal/i18n.
// Every key must have an English and a Japanese text (messages_test.go
// checks both catalogs, and every internal/i18n key the commands use).
type msgKey string

// cliMessage is one entry of the CLI's own catalog.
type cliMessage struct {
	key    msgKey
	en, ja string
}

const (
	msgHintLastTryNext   msgKey = "cli.hint.last_try_next"
	msgPINFormat         msgKey = "cli.pin.format"
	msgHintPINInput      msgKey = "cli.hint.pin_input"
	msgNoPIN             msgKey = "cli.pin.none"
	msgNoService         msgKey = "cli.reader.no_service"
	msgAmbiguousReader   msgKey = "cli.reader.ambiguous"
	msgHintImportFix     msgKey = "cli.hint.import_fix"
	msgFieldVerified     msgKey = "cli.records.verified"
	msgFieldUnsealed     msgKey = "cli.records.unsealed"
	msgFieldHead         msgKey = "cli.records.head"
	msgFieldSigner       msgKey = "cli.records.signer"
	msgExported          msgKey = "cli.records.exported"
	msgLabelPIN          msgKey = "cli.pin.label.generic"
	msgVirtualChosen     msgKey = "cli.virtual.chosen"
	msgNoArgs            msgKey = "cli.usage.no_args"
	msgCardAnswer        msgKey = "cli.card.bad_answer"
	msgHintCardAnswer    msgKey = "cli.hint.card_answer"
	msgVirtualCRL        msgKey = "cli.virtual.crl"
	msgTestCard          msgKey = "cli.test_card"
	msgTestHierarchy     msgKey = "cli.test_hierarchy"
	msgNoRevocation      msgKey = "cli.revocation.none"
	msgRevocationLoad    msgKey = "cli.revocation.load"
	msgFieldReader       msgKey = "cli.field.reader"
	msgFieldCard         msgKey = "cli.field.card"
	msgFieldCerts        msgKey = "cli.field.certificates"
	msgFieldTries        msgKey = "cli.field.tries"
	msgTriesUnknown      msgKey = "cli.tries.unknown"
	msgTriesBlocked      msgKey = "cli.tries.blocked"
	msgTriesNA           msgKey = "cli.tries.not_available"
	msgCertsProbed       msgKey = "cli.certificates.probed"
	msgReaderEmpty       msgKey = "cli.reader.empty"
	msgReaderCard        msgKey = "cli.reader.card"
	msgFieldSubject      msgKey = "cli.field.subject"
	msgFieldIssuer       msgKey = "cli.field.issuer"
	msgFieldSerial       msgKey = "cli.field.serial"
	msgFieldValidity     msgKey = "cli.field.validity"
	msgFieldKind         msgKey = "cli.field.kind"
	msgFieldFingerprint  msgKey = "cli.field.fingerprint"
	msgNumberMasked      msgKey = "cli.number.masked"
	msgIntegrityOK       msgKey = "cli.text.integrity_ok"
	msgIntegrityFailed   msgKey = "cli.text.integrity_failed"
	msgFaceWritten       msgKey = "cli.face.written"
	msgFaceNoOutput      msgKey = "cli.face.no_output"
	msgSigWritten        msgKey = "cli.sign.written"
	msgFieldSignedAt     msgKey = "cli.field.signed_at"
	msgFieldVerdict      msgKey = "cli.field.verdict"
	msgFieldSignature    msgKey = "cli.field.signature"
	msgFieldChain        msgKey = "cli.field.chain"
	msgFieldRevocation   msgKey = "cli.field.revocation"
	msgChainTestRoot     msgKey = "cli.chain.test_root"
	msgChainFailedWhy    msgKey = "cli.chain.failed_why"
	msgRevNotChecked     msgKey = "cli.revocation.not_checked"
	msgRevUnknownWhy     msgKey = "cli.revocation.unknown_why"
	msgEnrolled          msgKey = "cli.identify.enrolled"
	msgAlreadyEnrolled   msgKey = "cli.identify.already_enrolled"
	msgNotEnrolled       msgKey = "cli.identify.not_enrolled"
	msgNotSameHolder     msgKey = "cli.identify.not_same_holder"
	msgRecordKept        msgKey = "cli.identify.record"
	msgChangeNotLinked   msgKey = "cli.change.not_linked"
	msgHintVerifyFailed  msgKey = "cli.hint.verify_failed"
	msgStatusN           msgKey = "cli.qualify.status"
	msgImported          msgKey = "cli.import.done"
	msgChangesSummary    msgKey = "cli.changes.summary"
	msgChangesRevoked    msgKey = "cli.changes.revoked_other"
	msgChangesUnknown    msgKey = "cli.changes.unknown"
	msgChangesLine       msgKey = "cli.changes.line"
	msgChangesNone       msgKey = "cli.changes.none"
	msgNotEligibleHint   msgKey = "cli.hint.not_eligible"
	msgSubstituteWarn    msgKey = "cli.substitute.warn"
	msgCompareField      msgKey = "cli.compare.field"
	msgChangeCandidate   msgKey = "cli.identify.change_candidate"
	msgLabelOperatorPIN  msgKey = "cli.pin.label.operator"
	msgColumnCertificate msgKey = "cli.compare.certificate"
	msgColumnCardText    msgKey = "cli.compare.card_text"
	msgCompareDiffers    msgKey = "cli.compare.differs"
	msgSexUnknown        msgKey = "cli.sex.unknown"
	msgCardMyNumber      msgKey = "cli.card.mynumber"
	msgCardPhone         msgKey = "cli.card.phone"
	msgCardUnknown       msgKey = "cli.card.unknown"
	msgRevokedHint       msgKey = "cli.hint.revoked"
)

// Messages of the checks made before the card is touched, the revocation
// sources and the reader choice.
const (
	msgRevocationSourceBad   msgKey = "cli.revocation.source_bad"
	msgHintRevocationSource  msgKey = "cli.hint.revocation_source"
	msgRevocationStale       msgKey = "cli.revocation.stale"
	msgRevocationUnreachable msgKey = "cli.revocation.unreachable"
	msgSourceMissing         msgKey = "cli.revocation.source_missing"
	msgSourceUnreadable      msgKey = "cli.revocation.source_unreadable"
	msgSourceNotCRL          msgKey = "cli.revocation.source_not_crl"
	msgIsDirectory           msgKey = "cli.file.is_directory"
	msgHardNoSource          msgKey = "cli.revocation.hard_no_source"
	msgOutputNotWritable     msgKey = "cli.output.not_writable"
	msgHintOutput            msgKey = "cli.hint.output"
	msgNoEnrolment           msgKey = "cli.identify.no_enrolment"
	msgConsentNeeded         msgKey = "cli.token.consent_needed"
	msgBadRevocation         msgKey = "cli.revocation.bad_policy"
)

// cliMessages is the CLI's catalog. English messages follow age's rules
// (lowercase errors and hints without a final period).
// Messages of the text and face commands' verification to the pinned CV
// CA keys and of their --credential (cvverify.go).
const (
	msgCVRecordText       msgKey = "cli.cv.record.text"
	msgCVRecordFace       msgKey = "cli.cv.record.face"
	msgCVRecordNumber     msgKey = "cli.cv.record.number"
	msgCVRecordBasic      msgKey = "cli.cv.record.basic"
	msgCVVerified         msgKey = "cli.cv.verified"
	msgCVVerifiedTest     msgKey = "cli.cv.verified_test"
	msgCVSourceJLISTest   msgKey = "cli.cv.source.jlis_test"
	msgCVSourceVirtual    msgKey = "cli.cv.source.virtual"
	msgCVFailed           msgKey = "cli.cv.failed"
	msgCVWithKey          msgKey = "cli.cv.with_key"
	msgCVNoRecord         msgKey = "cli.cv.reason.no_record"
	msgCVMalformed        msgKey = "cli.cv.reason.malformed"
	msgCVUnknownCA        msgKey = "cli.cv.reason.unknown_ca"
	msgCVTestKey          msgKey = "cli.cv.reason.test_key"
	msgCVWrongUse         msgKey = "cli.cv.reason.wrong_use"
	msgCVCAKeyMismatch    msgKey = "cli.cv.reason.ca_key_mismatch"
	msgCVOverTLV          msgKey = "cli.cv.reason.over_tlv"
	msgCVBadTestSignature msgKey = "cli.cv.reason.bad_test_signature"
	msgCVSignedByAppKey   msgKey = "cli.cv.reason.signed_by_app_key"
	msgCVTampered         msgKey = "cli.cv.reason.tampered"
	msgHintCVFailed       msgKey = "cli.hint.cv_failed"
	msgHintCVKeyUnknown   msgKey = "cli.hint.cv_key_unknown"
	msgHintCVTestKey      msgKey = "cli.hint.cv_test_key"
	msgTextOnlyNumber     msgKey = "cli.text.only_number"
	msgTextOnlyBasic      msgKey = "cli.text.only_basic"
	msgNotRead            msgKey = "cli.text.not_read"
	msgCredentialUsage    msgKey = "cli.usage.credential"
	msgLabelBirthDateKey  msgKey = "cli.pin.label.birth_date_key"
)

// cvMessages are the texts of the keys above.
func cvMessages() []cliMessage {
	return []cliMessage{
		{msgCVRecordText, "card data (Individual Number and basic four)", "券面事項（個人番号と基本4情報）"},
		{msgCVRecordFace, "card face", "券面"},
		{msgCVRecordNumber, "Individual Number", "個人番号"},
		{msgCVRecordBasic, "basic four (name, address, birth date, sex)", "基本4情報（氏名・住所・生年月日・性別）"},
		{msgCVVerified, "%s verified to J-LIS key %s", "%sをJ-LISの鍵 %s で検証しました"},
		{msgCVVerifiedTest, "%s verified to TEST key %s (%s), not a J-LIS production key", "%sをテスト用の鍵 %s（%s）で検証しました。J-LISの本番の鍵ではありません"},
		{msgCVSourceJLISTest, "J-LIS test hierarchy", "J-LISのテスト用"},
		{msgCVSourceVirtual, "virtual card", "仮想カード"},
		{msgCVFailed, "%s not verified: %s", "%sを検証できません：%s"},
		{msgCVWithKey, "%s (key %s)", "%s（鍵 %s）"},
		{msgCVNoRecord, "the card has no signed record or no card-verifiable certificate", "カードに署名付きの記録またはカード検証用証明書がありません"},
		{msgCVMalformed, "the signed record or the card-verifiable certificate is malformed", "署名付きの記録またはカード検証用証明書の形式が正しくありません"},
		{msgCVUnknownCA, "the card-verifiable certificate names an unknown CA key", "カード検証用証明書が未知の認証局の鍵を指しています"},
		{msgCVTestKey, "the card-verifiable certificate is issued by a TEST key, which a production check never accepts", "カード検証用証明書はテスト用の鍵で発行されています。本番の確認では受け付けません"},
		{msgCVWrongUse, "the card-verifiable certificate is issued by the CA key of another application", "カード検証用証明書が別のアプリケーション用の認証局の鍵で発行されています"},
		{msgCVCAKeyMismatch, "CA key unknown or mismatched: the certificate does not verify with the pinned J-LIS key", "認証局の鍵が不明か一致しません：固定したJ-LISの鍵で証明書を検証できません"},
		{msgCVOverTLV, "the card-verifiable certificate is signed over the wrong bytes (the 5F4E TLV instead of its value)", "カード検証用証明書の署名対象が正しくありません（5F4Eの値ではなくタグと長さを含めて署名されています）"},
		{msgCVBadTestSignature, "the card-verifiable certificate does not verify with the pinned test key", "固定したテスト用の鍵でカード検証用証明書を検証できません"},
		{msgCVSignedByAppKey, "the record is signed by the key it carries itself, not by the key the card's certificate certifies", "記録が、カードの証明書が保証する鍵ではなく、記録自身に含まれる鍵で署名されています"},
		{msgCVTampered, "the record does not match its signature (altered data)", "記録が署名と一致しません（データが改変されています）"},
		{msgHintCVFailed, "do not rely on the data shown; compare with the card face and ask the holder to have the card checked at the municipal office", "表示した内容は信頼しないでください。券面と照合し、市区町村の窓口でカードの確認をご案内ください"},
		{msgHintCVKeyUnknown, "this is not evidence of forgery: the pinned J-LIS keys are not yet confirmed against a real card; compare with the card face", "偽造の証拠ではありません。固定したJ-LISの鍵は実物のカードでまだ確認されていません。券面と照合してください"},
		{msgHintCVTestKey, "this is a test card, not a real Individual Number Card; test keys are accepted only with --test-hierarchy, for testing", "テストカードです。本物のマイナンバーカードではありません。テスト用の鍵は、テストのときに --test-hierarchy を付けた場合だけ受け付けます"},
		{msgTextOnlyNumber, "照合番号A opens the Individual Number only: the basic four were not read", "照合番号Aで読めるのは個人番号だけです。基本4情報は読んでいません"},
		{msgTextOnlyBasic, "照合番号B opens the basic four only: the Individual Number was not read", "照合番号Bで読めるのは基本4情報だけです。個人番号は読んでいません"},
		{msgNotRead, "(not read)", "（読んでいません）"},
		{msgLabelBirthDateKey, "birth date (6 digits: Japanese era year, month, day, as YYMMDD)", "生年月日（和暦の年月日6桁、例：昭和60年4月1日は600401）"},
		{msgCredentialUsage, "--credential must be pin (the 4-digit PIN), a (照合番号A) or b (照合番号B), not %q", "--credential には pin（4桁の暗証番号）、a（照合番号A）、b（照合番号B）のいずれかを指定してください（指定：%q）"},
	}
}

func cliMessages() []cliMessage {
	msgs := append(append(append(pdfMessages(), cvMessages()...), chipMessages()...), clerkMessages()...)
	msgs = append(append(msgs, helpMessages()...), codeMessages()...)
	return append(msgs, []cliMessage{
		{msgHintLastTryNext, "one try is left: check the PIN with the holder; the next attempt needs --allow-last-try", "残り1回です。ご本人に番号を確認してください。次の入力には --allow-last-try が必要です"},
		{msgPINFormat, "the %s has the wrong format", "%sの形式が正しくありません"},
		{msgHintPINInput, "enter the PIN on the terminal, or give it on standard input with --pin-stdin (never as an argument)", "端末で入力するか、--pin-stdin で標準入力から渡してください（引数には書かないでください）"},
		{msgNoPIN, "no %s was entered", "%sが入力されていません"},
		{msgNoService, "the PC/SC service (pcscd) is not running", "PC/SCサービス（pcscd）が動いていません"},
		{msgAmbiguousReader, "more than one reader matches %q", "%q に当てはまるリーダーが複数あります"},
		{msgHintImportFix, "correct the lines named and import the whole file again", "示された行を直してから、ファイル全体をもう一度取り込んでください"},
		{msgFieldVerified, "Verified records", "検証できた記録"},
		{msgFieldUnsealed, "Unsealed records (before the operator key)", "署名のない記録（担当者鍵の設定前）"},
		{msgFieldHead, "Head (number:hash)", "末尾（番号:ハッシュ）"},
		{msgFieldSigner, "Operator certificate", "担当者の証明書"},
		{msgExported, "exported %d records", "記録を%d件書き出しました"},
		{msgLabelPIN, "PIN", "暗証番号"},
		{msgLabelOperatorPIN, "operator token PIN", "担当者トークンのPIN"},
		{msgColumnCertificate, "signing certificate", "署名用電子証明書"},
		{msgColumnCardText, "card (input support application)", "カード（券面事項入力補助AP）"},
		{msgCompareDiffers, "the certificate and the card differ: compare with the card face and ask the holder", "証明書とカードの記載が異なります。券面と照合し、ご本人に確認してください"},
		{msgCardAnswer, "the card gave an unexpected answer: %s", "カードから想定外の応答がありました：%s"},
		{msgHintCardAnswer, "take the card out, put it back and try again; if it happens again, try another reader or ask the holder to have the card checked at the municipal office", "カードをいったん取り出して置き直し、もう一度お試しください。繰り返す場合は別のリーダーでお試しいただくか、市区町村の窓口でカードの確認をご案内ください"},
		{msgNoArgs, "%s takes no arguments (%d given, not repeated here): PINs are never read from the command line; use the prompt, --pin-stdin or --pin-fd", "%s には引数を指定できません（%d個指定されました。内容は表示しません）。暗証番号はコマンドラインからは受け付けません。入力画面、--pin-stdin または --pin-fd をお使いください"},
		{msgVirtualCRL, "revocation is checked against the test hierarchy's own empty CRLs (test data, built in for the virtual card)", "失効確認には、仮想カード用に内蔵したテスト認証局の空の失効リスト（テストデータ）を使います"},
		{msgVirtualChosen, "using the built-in virtual card (TEST CARD — not a real Individual Number Card)", "内蔵の仮想カードを使います（テストカード — 本物のマイナンバーカードではありません）"},
		{msgTestCard, "TEST CARD — not a real Individual Number Card", "テストカード — 本物のマイナンバーカードではありません"},
		{msgTestHierarchy, "the test hierarchy (O=JPKI-TEST) is trusted: results are for testing only", "テスト用の認証局（O=JPKI-TEST）を信頼しています。結果はテスト用です"},
		{msgNoRevocation, "no revocation source configured (--crl, --ocsp): revocation status will be unknown", "失効情報の取得先（--crl、--ocsp）が設定されていないため、失効状態は不明になります"},
		{msgRevocationLoad, "revocation source %s: %v", "失効情報 %s：%v"},
		{msgFieldReader, "Reader", "リーダー"},
		{msgFieldCard, "Card", "カード"},
		{msgFieldCerts, "Certificates", "証明書"},
		{msgFieldTries, "Tries left", "残り回数"},
		{msgTriesUnknown, "unknown", "不明"},
		{msgTriesBlocked, "blocked", "ロック中"},
		{msgTriesNA, "not available", "なし"},
		{msgCertsProbed, "(checked one by one: the card's list of certificates was in an unexpected form; no action needed)", "（カード内の証明書一覧が想定外の形式だったため、証明書ごとに確認しました。対応は不要です）"},
		{msgReaderEmpty, "empty", "カードなし"},
		{msgReaderCard, "card present", "カードあり"},
		{msgFieldSubject, "Subject", "主体者"},
		{msgFieldIssuer, "Issuer", "発行者"},
		{msgFieldSerial, "Serial", "シリアル番号"},
		{msgFieldValidity, "Valid", "有効期間"},
		{msgFieldKind, "Kind", "種類"},
		{msgFieldFingerprint, "SHA-256", "SHA-256"},
		{msgNumberMasked, "%s (shown with --show-number)", "%s（--show-number で表示）"},
		{msgIntegrityOK, "card data integrity: consistent (hashes and signature of the card's record)", "券面事項の完全性：整合（カード内の記録のハッシュと署名）"},
		{msgIntegrityFailed, "card data integrity check failed: %v", "券面事項の完全性の検証に失敗しました：%v"},
		{msgFaceWritten, "wrote %s (%d bytes)", "%s に書き出しました（%dバイト）"},
		{msgFaceNoOutput, "give --out FILE (JPEG 2000 as on the card) or --png FILE", "--out FILE（カードのままのJPEG 2000）か --png FILE を指定してください"},
		{msgSigWritten, "wrote the signature to %s", "署名を %s に書き出しました"},
		{msgFieldSignedAt, "Signing time (signer's claim)", "署名時刻（署名者の申告）"},
		{msgFieldVerdict, "Verdict", "判定"},
		{msgFieldSignature, "Signature", "署名"},
		{msgFieldChain, "Chain", "証明書の検証"},
		{msgFieldRevocation, "Revocation", "失効確認"},
		{msgChainTestRoot, "certificate chains to the TEST root %s (not a J-LIS root)", "テスト用ルート %s まで検証できました（J-LISのルートではありません）"},
		{msgChainFailedWhy, "certificate does not chain to a pinned root: %s", "固定したルートまで証明書を検証できません：%s"},
		{msgRevNotChecked, "revocation not checked (--revocation off)", "失効は確認していません（--revocation off）"},
		{msgRevUnknownWhy, "revocation status unknown: %s", "失効状態は不明です：%s"},
		{msgEnrolled, "enrolled as number %d", "登録番号 %d として登録しました"},
		{msgAlreadyEnrolled, "already enrolled as number %d", "登録番号 %d として登録済みです"},
		{msgNotEnrolled, "not enrolled: %s", "登録していません：%s"},
		{msgNotSameHolder, "this certificate is not enrolled: not confirmed as an enrolled holder", "この証明書は登録されていません。登録済みの本人とは確認できません"},
		{msgRecordKept, "record %d kept", "記録番号 %d を保存しました"},
		{msgChangeNotLinked, "registration change not linked: %s", "異動を反映していません：%s"},
		{msgHintVerifyFailed, "do not accept this identification; see each check above", "この確認結果は受け付けないでください。各項目を確認してください"},
		{msgStatusN, "validity status %d: %s", "有効性 %d：%s"},
		{msgImported, "imported %d qualifications (%d new, %d updated)", "資格情報を%d件取り込みました（新規%d件、更新%d件）"},
		{msgChangesSummary, "checked %d: %d good, %d registration changed, %d revoked for other reasons, %d unknown", "確認%d件：有効%d件、異動%d件、その他の失効%d件、不明%d件"},
		{msgChangesRevoked, "  revoked (%s): %d", "  失効（%s）：%d件"},
		{msgChangesUnknown, "could not check revocation (%s)", "失効を確認できませんでした（%s）"},
		{msgChangesLine, "enrolment %d\t%s\t%s", "登録番号 %d\t%s\t%s"},
		{msgChangesNone, "no enrolments to check", "確認する登録がありません"},
		{msgNotEligibleHint, "do not accept the card for insurance treatment without another confirmation", "他の方法で資格を確認するまで、保険診療の受付はしないでください"},
		{msgSubstituteWarn, "%s: substitute characters (代替文字) at %s: compare with the card face", "%s に代替文字があります（%s文字目）。券面と照合してください"},
		{msgCompareField, "%s\t%s\t%s\t%s", "%s\t%s\t%s\t%s"},
		{msgChangeCandidate, "may be the same holder before a registration change: enrolment %d (%s); identify again with --replaces %[1]d, or --new-holder", "異動前の同じ方かもしれません：登録番号 %d（%s）。--replaces %[1]d か --new-holder を付けてもう一度確認してください"},
		{msgSexUnknown, "unknown", "不明"},
		{msgCardMyNumber, "Individual Number Card", "マイナンバーカード"},
		{msgCardPhone, "smartphone JPKI token", "スマートフォンの公的個人認証"},
		{msgCardUnknown, "unknown card", "不明なカード"},
		{msgRevokedHint, "do not accept this certificate", "この証明書は受け付けないでください"},
		{msgRevocationSourceBad, "cannot use the revocation source %s: %v", "失効情報の取得先 %s を使えません：%v"},
		{msgHintRevocationSource, "check the file or directory given with --crl (it must exist, be readable and hold a J-LIS CRL), then run the command again", "--crl に指定したファイルまたはフォルダを確認してから（存在し、読み取れ、J-LISの失効リストであること）、もう一度実行してください"},
		{msgRevocationStale, "the CRL %s is out of date: a revocation it lists still counts, any other certificate's status is unknown", "失効リスト %s は更新期限を過ぎています。載っている失効は有効とし、それ以外の証明書の失効状態は「不明」とします"},
		{msgRevocationUnreachable, "the revocation source %s did not answer: revocation status from it is unknown", "失効情報の取得先 %s から応答がありません。そこからの失効状態は「不明」です"},
		{msgSourceMissing, "no such file or directory", "ファイルまたはフォルダがありません"},
		{msgSourceUnreadable, "permission denied", "読み取る権限がありません"},
		{msgSourceNotCRL, "not a CRL signed by a trusted J-LIS root", "信頼するJ-LISのルートが署名した失効リストではありません"},
		{msgIsDirectory, "it is a directory", "フォルダです"},
		{msgHardNoSource, "--revocation hard needs a revocation source: give --crl or --ocsp (or choose --revocation soft or off)", "--revocation hard には失効情報の取得先が必要です。--crl か --ocsp を指定してください（または --revocation soft か off を選んでください）"},
		{msgOutputNotWritable, "cannot write %s: %s", "%s に書き込めません：%s"},
		{msgHintOutput, "choose an output file in a folder you can write to, then run the command again: the card was not used", "書き込めるフォルダの出力先を指定して、もう一度実行してください（カードは使っていません）"},
		{msgNoEnrolment, "no enrolment number %d in the store", "登録番号 %d は登録されていません"},
		{msgBadRevocation, "--revocation must be hard, soft or off, not %q", "--revocation には hard、soft、off のいずれかを指定してください（%q は使えません）"},
		{msgConsentNeeded, "a token with the signing key releases name, address, birth date and sex: give --consent once the holder has agreed", "署名用の鍵によるトークンは氏名・住所・生年月日・性別を渡します。ご本人の同意を得てから --consent を付けてください"},
	}...)
}

// cliCatalog is the CLI catalog built once; nothing changes it after
// init.
var cliCatalog = buildCLICatalog() //nolint:gochecknoglobals // immutable after init

func buildCLICatalog() catalog.Catalog {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for _, m := range append(cliMessages(), storeMessages()...) {
		if err := b.SetString(language.English, string(m.key), m.en); err != nil {
			panic(err)
		}
		if err := b.SetString(language.Japanese, string(m.key), m.ja); err != nil {
			panic(err)
		}
	}
	return b
}

// tr formats a CLI message in the chosen language.
func (g *globals) tr(k msgKey, args ...any) string {
	tag := language.English
	if g.p != nil && g.p.Lang() == i18n.Japanese {
		tag = language.Japanese
	}
	return message.NewPrinter(tag, message.Catalog(cliCatalog)).Sprintf(string(k), args...)
}
