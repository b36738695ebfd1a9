package main

import "github.com/mynacard/mynacard/confirm"

// The words for the codes a result carries (--json gives the codes
// themselves): why a revocation status is unknown, why a chain failed,
// why an enrolment or a registration change was not made, which
// certificate. A clerk reads the words; the code follows in brackets
// where a support desk needs it (withCode).

const (
	msgWithCode          msgKey = "cli.code.with_code"
	msgCodeSep           msgKey = "cli.code.sep"
	msgRevWhyNoSource    msgKey = "cli.rev_why.no_source"
	msgRevWhyNoIssuer    msgKey = "cli.rev_why.no_issuer"
	msgRevWhyNotCovered  msgKey = "cli.rev_why.not_covered"
	msgRevWhyStale       msgKey = "cli.rev_why.stale"
	msgRevWhyNotYet      msgKey = "cli.rev_why.not_yet_valid"
	msgRevWhyBadSig      msgKey = "cli.rev_why.bad_signature"
	msgRevWhyUnreachable msgKey = "cli.rev_why.unreachable"
	msgRevWhyRespError   msgKey = "cli.rev_why.responder_error"
	msgRevWhyRespUnknown msgKey = "cli.rev_why.responder_unknown"
	msgRevWhyError       msgKey = "cli.rev_why.error"
	msgChainWhyIssuer    msgKey = "cli.chain_why.unknown_issuer"
	msgChainWhyBadSig    msgKey = "cli.chain_why.bad_signature"
	msgChainWhyExpired   msgKey = "cli.chain_why.expired"
	msgChainWhyNotYet    msgKey = "cli.chain_why.not_yet_valid"
	msgChainWhyKind      msgKey = "cli.chain_why.wrong_kind"
	msgChainWhyKeyUsage  msgKey = "cli.chain_why.key_usage"
	msgChainWhyPolicy    msgKey = "cli.chain_why.policy"
	msgChainWhyRootCons  msgKey = "cli.chain_why.root_constraints"
	msgChainWhyRootValid msgKey = "cli.chain_why.root_not_valid"
	msgChainWhyCritical  msgKey = "cli.chain_why.critical_extension"
	msgChainWhyTestRoot  msgKey = "cli.chain_why.test_root"
	msgChainWhyNoCert    msgKey = "cli.chain_why.no_certificate"
	msgChainWhyNotCheck  msgKey = "cli.chain_why.not_checked"
	msgChainWhyError     msgKey = "cli.chain_why.error"
	msgSigWhyContent     msgKey = "cli.sig_why.content"
	msgSigWhyCMS         msgKey = "cli.sig_why.cms"
	msgSigWhyKey         msgKey = "cli.sig_why.key"
	msgSigWhyOther       msgKey = "cli.sig_why.other"
	msgEnrolWhyVerdict   msgKey = "cli.enrol_why.verdict_not_ok"
	msgEnrolWhyCands     msgKey = "cli.enrol_why.change_candidates"
	msgChangeWhyNotSign  msgKey = "cli.change_why.not_sign_enrolment"
	msgChangeWhyReplaced msgKey = "cli.change_why.already_replaced"
	msgChangeWhySame     msgKey = "cli.change_why.same_certificate"
	msgChangeWhyNotRC    msgKey = "cli.change_why.not_registration_change"
	msgChangeWhyNewEnrol msgKey = "cli.change_why.new_already_enrolled"
	msgWhyOther          msgKey = "cli.why.other"
	msgCertSign          msgKey = "cli.cert.sign"
	msgCertSignCA        msgKey = "cli.cert.sign_ca"
	msgCertAuth          msgKey = "cli.cert.auth"
	msgCertAuthCA        msgKey = "cli.cert.auth_ca"
	msgCertNone          msgKey = "cli.cert.none"
	msgChangesRevokedWhy msgKey = "cli.changes.revoked_why"
	msgReasonSuperseded  msgKey = "cli.reason.superseded"
	msgReasonKeyComp     msgKey = "cli.reason.key_compromise"
	msgReasonCAComp      msgKey = "cli.reason.ca_compromise"
	msgReasonCessation   msgKey = "cli.reason.cessation"
	msgReasonHold        msgKey = "cli.reason.hold"
	msgReasonAffiliation msgKey = "cli.reason.affiliation_changed"
	msgReasonOther       msgKey = "cli.reason.other"
	msgPINOfApp          msgKey = "cli.status.pin_of_app"
	msgAppSurface        msgKey = "cli.status.app_surface"
	msgAppText           msgKey = "cli.status.app_text"
	msgNoReadersFound    msgKey = "cli.readers.none"
	msgReaderCardATR     msgKey = "cli.readers.card_atr"
	msgReaderCardInUse   msgKey = "cli.readers.card_in_use"
	msgVirtualInserted   msgKey = "cli.virtual.inserted"
	msgVirtualRetry      msgKey = "cli.virtual.retry"
	msgVirtualRemoved    msgKey = "cli.virtual.removed"
	msgVirtualVPCDWarn   msgKey = "cli.virtual.vpcd_warning"
)

// codeMessages are the texts of the keys above.
func codeMessages() []cliMessage {
	return []cliMessage{
		{msgWithCode, "%s (%s)", "%s（%s）"},
		{msgCodeSep, ", ", "、"},
		{msgRevWhyNoSource, "no revocation source configured (--crl, --ocsp)", "失効情報の取得先（--crl、--ocsp）が設定されていません"},
		{msgRevWhyNoIssuer, "no CRL of the certificate's issuer was given", "この証明書の発行者の失効リストがありません"},
		{msgRevWhyNotCovered, "the CRLs given do not cover this certificate", "指定した失効リストはこの証明書を対象としていません"},
		{msgRevWhyStale, "the CRL is out of date", "失効リストの更新期限が過ぎています"},
		{msgRevWhyNotYet, "the CRL is not valid yet (check the computer's clock)", "失効リストの有効期間がまだ始まっていません（パソコンの時計を確認してください）"},
		{msgRevWhyBadSig, "the CRL or OCSP answer is not signed by the issuer", "失効リストまたはOCSPの応答の署名を検証できません"},
		{msgRevWhyUnreachable, "the revocation source did not answer", "失効情報の取得先から応答がありません"},
		{msgRevWhyRespError, "the OCSP responder answered with an error", "OCSPレスポンダーがエラーを返しました"},
		{msgRevWhyRespUnknown, "the OCSP responder does not know this certificate", "OCSPレスポンダーはこの証明書を把握していません"},
		{msgRevWhyError, "the revocation check failed", "失効を確認できませんでした"},
		{msgChainWhyIssuer, "the issuer is not a trusted J-LIS root", "発行者が信頼するJ-LISのルートではありません"},
		{msgChainWhyBadSig, "the certificate's signature does not verify with a trusted root", "証明書の署名を信頼するルートで検証できません"},
		{msgChainWhyExpired, "the certificate has expired", "証明書の有効期限が過ぎています"},
		{msgChainWhyNotYet, "the certificate is not valid yet", "証明書の有効期間がまだ始まっていません"},
		{msgChainWhyKind, "it is not the kind of certificate expected here", "ここで使う種類の証明書ではありません"},
		{msgChainWhyKeyUsage, "the certificate's key usage does not allow this use", "証明書の鍵の用途がこの使い方を認めていません"},
		{msgChainWhyPolicy, "the certificate policy is not the JPKI one", "証明書ポリシーが公的個人認証のものではありません"},
		{msgChainWhyRootCons, "the root's constraints are not met", "ルート証明書の制約を満たしていません"},
		{msgChainWhyRootValid, "the root certificate is not valid at this time", "ルート証明書が有効期間外です"},
		{msgChainWhyCritical, "the certificate has a critical extension that is not understood", "証明書に解釈できない重要な拡張があります"},
		{msgChainWhyTestRoot, "the certificate chains to a TEST root, which a production check never accepts", "証明書はテスト用のルートにつながります。本番の確認では受け付けません"},
		{msgChainWhyNoCert, "the card has no authentication certificate", "カードに利用者証明用電子証明書がありません"},
		{msgChainWhyNotCheck, "not checked", "確認していません"},
		{msgChainWhyError, "the certificate could not be checked", "証明書を検証できませんでした"},
		{msgSigWhyContent, "the signed content is missing or different", "署名した内容がないか、内容が異なります"},
		{msgSigWhyCMS, "the signature file is damaged or does not match", "署名ファイルが壊れているか、署名が一致しません"},
		{msgSigWhyKey, "the signature does not verify with the certificate's key", "証明書の鍵で署名を検証できません"},
		{msgSigWhyOther, "the signature could not be checked", "署名を検証できませんでした"},
		{msgEnrolWhyVerdict, "the identification was not confirmed", "本人確認ができなかったため"},
		{msgEnrolWhyCands, "earlier enrolments may be this holder's before a registration change", "以前の登録が異動前の同じ方のものかもしれないため"},
		{msgChangeWhyNotSign, "the enrolment named is not one of a signing certificate", "指定した登録は署名用電子証明書の登録ではありません"},
		{msgChangeWhyReplaced, "the enrolment named is already replaced", "指定した登録はすでに置き換えられています"},
		{msgChangeWhySame, "it is the same certificate as the enrolment named", "指定した登録と同じ証明書です"},
		{msgChangeWhyNotRC, "the enrolment's certificate is not revoked for a registration change", "指定した登録の証明書は異動による失効ではありません"},
		{msgChangeWhyNewEnrol, "the new certificate is enrolled already", "新しい証明書はすでに登録されています"},
		{msgWhyOther, "see --json for the details", "詳しくは --json で表示します"},
		{msgCertSign, "signing certificate", "署名用電子証明書"},
		{msgCertSignCA, "signing CA certificate", "署名用認証局の証明書"},
		{msgCertAuth, "user-authentication certificate", "利用者証明用電子証明書"},
		{msgCertAuthCA, "user-authentication CA certificate", "利用者証明用認証局の証明書"},
		{msgCertNone, "none", "なし"},
		{msgChangesRevokedWhy, "  revoked, %s: %d", "  失効・%s：%d件"},
		{msgReasonSuperseded, "certificate renewed", "証明書の更新"},
		{msgReasonKeyComp, "key compromised", "秘密鍵の漏えいのおそれ"},
		{msgReasonCAComp, "CA key compromised", "認証局の鍵の漏えいのおそれ"},
		{msgReasonCessation, "no longer used", "利用の終了"},
		{msgReasonHold, "on hold", "一時停止"},
		{msgReasonAffiliation, "registration change", "異動"},
		{msgReasonOther, "no reason given", "理由の記載なし"},
		{msgPINOfApp, "%s: %s", "%s：%s"},
		{msgAppSurface, "card surface application", "券面事項確認AP"},
		{msgAppText, "input support application", "券面事項入力補助AP"},
		{msgNoReadersFound, "no smart-card readers found (run `mynacard virtual-card` for a virtual one)", "カードリーダーが見つかりません（仮想のものは `mynacard virtual-card` で使えます）"},
		{msgReaderCardATR, "card present, ATR %s", "カードあり（ATR %s）"},
		{msgReaderCardInUse, "card present, in exclusive use by another program, ATR %s", "カードあり、他のプログラムが使用中（ATR %s）"},
		{msgVirtualInserted, "virtual card inserted in %q; press Ctrl-C to remove it", "仮想カードを %q に入れました。Ctrl-C で取り出します"},
		{msgVirtualRetry, "vpcd slot %d not reachable (is pcscd running with vpcd?); retrying", "vpcd のスロット %d に接続できません（vpcd 付きの pcscd が動いているか確認してください）。再試行します"},
		{msgVirtualRemoved, "virtual card removed", "仮想カードを取り出しました"},
		{msgVirtualVPCDWarn, "vpcd (the virtual reader driver) listens on all network interfaces: anyone who can reach TCP ports %d-%d of this machine can insert a card; use it only on a trusted network, and never on a production kiosk", "vpcd（仮想リーダーのドライバー）はすべてのネットワークで待ち受けます。このパソコンのTCPポート %d〜%d に届く人は誰でもカードを入れられます。信頼できるネットワークでだけ使い、本番のキオスクには入れないでください"},
	}
}

// withCode puts a code after the words for it.
func (g *globals) withCode(words, code string) string {
	if code == "" {
		return words
	}
	return g.tr(msgWithCode, words, code)
}

// revocationWhy says why a revocation status is unknown.
func (g *globals) revocationWhy(code confirm.RevocationCode) string {
	k, ok := map[confirm.RevocationCode]msgKey{
		confirm.RevCodeNoSource: msgRevWhyNoSource, confirm.RevCodeNoIssuer: msgRevWhyNoIssuer,
		confirm.RevCodeNotCovered: msgRevWhyNotCovered, confirm.RevCodeStale: msgRevWhyStale,
		confirm.RevCodeNotYetValid: msgRevWhyNotYet, confirm.RevCodeBadSignature: msgRevWhyBadSig,
		confirm.RevCodeUnreachable: msgRevWhyUnreachable, confirm.RevCodeResponderError: msgRevWhyRespError,
		confirm.RevCodeResponderUnknown: msgRevWhyRespUnknown, confirm.RevCodeError: msgRevWhyError,
	}[code]
	if !ok {
		k = msgRevWhyError
	}
	return g.withCode(g.tr(k), string(code))
}

// chainWhy says why a chain did not verify.
func (g *globals) chainWhy(code string) string {
	k, ok := map[string]msgKey{
		"unknown_issuer": msgChainWhyIssuer, "bad_signature": msgChainWhyBadSig, "expired": msgChainWhyExpired,
		"not_yet_valid": msgChainWhyNotYet, "wrong_kind": msgChainWhyKind, "key_usage": msgChainWhyKeyUsage,
		"policy": msgChainWhyPolicy, "root_constraints": msgChainWhyRootCons, "root_not_valid": msgChainWhyRootValid,
		"critical_extension": msgChainWhyCritical, "test_root": msgChainWhyTestRoot,
		"no_certificate": msgChainWhyNoCert, "not_checked": msgChainWhyNotCheck, "": msgChainWhyNotCheck,
	}[code]
	if !ok {
		k = msgChainWhyError
	}
	return g.withCode(g.tr(k), code)
}

// notDoneWhy says why an enrolment or a registration change was not
// made.
func (g *globals) notDoneWhy(code string) string {
	k, ok := map[string]msgKey{
		"verdict_not_ok": msgEnrolWhyVerdict, "change_candidates": msgEnrolWhyCands,
		"not_sign_enrolment": msgChangeWhyNotSign, "already_replaced": msgChangeWhyReplaced,
		"same_certificate": msgChangeWhySame, "old_not_revoked_for_registration_change": msgChangeWhyNotRC,
		"new_certificate_already_enrolled": msgChangeWhyNewEnrol,
	}[code]
	if !ok {
		k = msgWhyOther
	}
	return g.withCode(g.tr(k), code)
}

// certName names a certificate of the card by its code (sign, sign_ca,
// auth, auth_ca; the kind names of jpki use "-").
func (g *globals) certName(code string) string {
	switch code {
	case "sign":
		return g.tr(msgCertSign)
	case "sign_ca", "sign-ca":
		return g.tr(msgCertSignCA)
	case "auth":
		return g.tr(msgCertAuth)
	case "auth_ca", "auth-ca":
		return g.tr(msgCertAuthCA)
	}
	return code
}

// revokedReason names a CRL revocation reason in a few words, with its
// code.
func (g *globals) revokedReason(reason string) string {
	k, ok := map[string]msgKey{
		"superseded": msgReasonSuperseded, "keyCompromise": msgReasonKeyComp, "cACompromise": msgReasonCAComp,
		"cessationOfOperation": msgReasonCessation, "certificateHold": msgReasonHold,
		"affiliationChanged": msgReasonAffiliation,
	}[reason]
	if !ok {
		k = msgReasonOther
	}
	return g.withCode(g.tr(k), reason)
}
