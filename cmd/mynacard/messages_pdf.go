package main

// Messages of sign --pdf and verify --pdf.
const (
	msgPDFNeedTSA        msgKey = "cli.pdf.need_tsa"
	msgPDFNeedRevocation msgKey = "cli.pdf.need_revocation"
	msgPDFCannotSign     msgKey = "cli.pdf.cannot_sign"
	msgPDFCannotRead     msgKey = "cli.pdf.cannot_read"
	msgPDFAbout          msgKey = "cli.pdf.about"
	msgPDFFile           msgKey = "cli.pdf.file"
	msgPDFPages          msgKey = "cli.pdf.pages"
	msgPDFExisting       msgKey = "cli.pdf.existing"
	msgPDFLevel          msgKey = "cli.pdf.level"
	msgPDFWritten        msgKey = "cli.pdf.written"
	msgPDFDSS            msgKey = "cli.pdf.dss"
	msgPDFDSSShort       msgKey = "cli.pdf.dss_short"
	msgPDFOCSPFailed     msgKey = "cli.pdf.ocsp_failed"
	msgPDFNotCovered     msgKey = "cli.pdf.crl_not_covered"
	msgPDFNoSignature    msgKey = "cli.pdf.no_signature"
	msgPDFSigHeader      msgKey = "cli.pdf.sig_header"
	msgPDFRevision       msgKey = "cli.pdf.revision"
	msgPDFRevisionOf     msgKey = "cli.pdf.revision_of"
	msgPDFCoverage       msgKey = "cli.pdf.coverage"
	msgPDFWhole          msgKey = "cli.pdf.whole"
	msgPDFLater          msgKey = "cli.pdf.later"
	msgPDFNotPAdES       msgKey = "cli.pdf.not_pades"
	msgPDFTimestamp      msgKey = "cli.pdf.timestamp"
	msgPDFTimestampBy    msgKey = "cli.pdf.timestamp_by"
	msgPDFReason         msgKey = "cli.pdf.reason"
	msgPDFLocation       msgKey = "cli.pdf.location"
	msgPDFContact        msgKey = "cli.pdf.contact"
	msgPDFChange         msgKey = "cli.pdf.change"
	msgPDFAlters         msgKey = "cli.pdf.alters"
	msgPDFHintChain      msgKey = "cli.pdf.hint_chain"

	msgPDFChSignature   msgKey = "cli.pdf.change.signature"
	msgPDFChDSS         msgKey = "cli.pdf.change.dss"
	msgPDFChMetadata    msgKey = "cli.pdf.change.metadata"
	msgPDFChAnnotation  msgKey = "cli.pdf.change.annotation"
	msgPDFChFormField   msgKey = "cli.pdf.change.form_field"
	msgPDFChPages       msgKey = "cli.pdf.change.pages"
	msgPDFChPageContent msgKey = "cli.pdf.change.page_content"
	msgPDFChObject      msgKey = "cli.pdf.change.object"
	msgPDFChCatalog     msgKey = "cli.pdf.change.catalog"
	msgPDFChUnused      msgKey = "cli.pdf.change.unused"

	msgPDFPrByteRange          msgKey = "cli.pdf.problem.byterange"
	msgPDFPrNotRevision        msgKey = "cli.pdf.problem.not_revision"
	msgPDFPrHole               msgKey = "cli.pdf.problem.hole"
	msgPDFPrContents           msgKey = "cli.pdf.problem.contents"
	msgPDFPrSubFilter          msgKey = "cli.pdf.problem.subfilter"
	msgPDFPrObjectStream       msgKey = "cli.pdf.problem.object_stream"
	msgPDFPrInline             msgKey = "cli.pdf.problem.inline"
	msgPDFPrDocMDP             msgKey = "cli.pdf.problem.docmdp"
	msgPDFPrCMS                msgKey = "cli.pdf.problem.cms"
	msgPDFPrDigestAlg          msgKey = "cli.pdf.problem.digest_algorithm"
	msgPDFPrSigAlg             msgKey = "cli.pdf.problem.signature_algorithm"
	msgPDFPrAttributes         msgKey = "cli.pdf.problem.attributes"
	msgPDFPrDigest             msgKey = "cli.pdf.problem.digest"
	msgPDFPrSignature          msgKey = "cli.pdf.problem.signature"
	msgPDFPrAuthKey            msgKey = "cli.pdf.problem.auth_key"
	msgPDFPrChain              msgKey = "cli.pdf.problem.chain"
	msgPDFPrModified           msgKey = "cli.pdf.problem.modified"
	msgPDFPrTimestamp          msgKey = "cli.pdf.problem.timestamp"
	msgPDFPrTimestampUntrusted msgKey = "cli.pdf.problem.timestamp_untrusted"
)

func pdfMessages() []cliMessage {
	return []cliMessage{
		{msgPDFNeedTSA, "--level %s needs a time-stamping authority: give --tsa URL", "--level %s にはタイムスタンプ局が必要です。--tsa URL を指定してください"},
		{msgPDFNeedRevocation, "--level B-LT needs revocation data to keep in the PDF: give --crl FILE or --ocsp URL", "--level B-LT では PDF に入れる失効情報が必要です。--crl FILE か --ocsp URL を指定してください"},
		{msgPDFCannotSign, "cannot sign %s: %v", "%s には署名できません：%v"},
		{msgPDFCannotRead, "cannot read %s as a PDF: %v", "%s を PDF として読めません：%v"},
		{msgPDFAbout, "this PDF is about to be signed with the signing certificate (check it before entering the password):", "次の PDF に署名用電子証明書で署名します（パスワードを入力する前にご確認ください）："},
		{msgPDFFile, "File", "ファイル"},
		{msgPDFPages, "Pages", "ページ数"},
		{msgPDFExisting, "Signatures already in it", "既存の署名"},
		{msgPDFLevel, "Level", "署名の形式"},
		{msgPDFWritten, "wrote the signed PDF to %s (PAdES %s)", "署名した PDF を %s に書き出しました（PAdES %s）"},
		{msgPDFDSS, "validation data kept in the PDF (DSS): %d certificates, %d CRLs (%d bytes), %d OCSP responses (%d bytes)", "検証用データを PDF に入れました（DSS）：証明書%d件、失効リスト%d件（%dバイト）、OCSP応答%d件（%dバイト）"},
		{msgPDFDSSShort, "%d certificates, %d CRLs (%d bytes), %d OCSP responses (%d bytes)", "証明書%d件、失効リスト%d件（%dバイト）、OCSP応答%d件（%dバイト）"},
		{msgPDFOCSPFailed, "the OCSP responder gave no usable good answer for the signer: %v", "OCSPレスポンダーから署名者の有効な応答が得られません：%v"},
		{msgPDFNotCovered, "none of the CRLs given (--crl) covers the signer's certificate", "指定した失効リスト（--crl）のどれも署名者の証明書を対象としていません"},
		{msgPDFNoSignature, "the document has no signature", "この文書には署名がありません"},
		{msgPDFSigHeader, "Signature %d of %d (field %s)", "署名 %d/%d（フィールド %s）"},
		{msgPDFRevision, "Revision", "版"},
		{msgPDFRevisionOf, "%d of %d", "全%[2]d版のうち第%[1]d版"},
		{msgPDFCoverage, "Covers", "対象範囲"},
		{msgPDFWhole, "the whole document", "文書全体"},
		{msgPDFLater, "the document up to this signature; later changes are listed below", "この署名までの文書（その後の変更は下記）"},
		{msgPDFNotPAdES, "not PAdES (%s)", "PAdES ではありません（%s）"},
		{msgPDFTimestamp, "Timestamp", "タイムスタンプ"},
		{msgPDFTimestampBy, "%s by %s", "%s（%s）"},
		{msgPDFReason, "Reason", "理由"},
		{msgPDFLocation, "Location", "場所"},
		{msgPDFContact, "Contact", "連絡先"},
		{msgPDFChange, "changed after signing: %s (object %d)", "署名後の変更：%s（オブジェクト %d）"},
		{msgPDFHintChain, "nothing was signed: a signature by this certificate would not verify (for a test card give --test-hierarchy)", "署名していません。この証明書による署名は検証できないためです（テストカードでは --test-hierarchy を指定してください）"},
		{msgPDFAlters, " — can change what is displayed", " — 表示内容が変わるおそれがあります"},

		{msgPDFChSignature, "another signature", "別の署名"},
		{msgPDFChDSS, "validation data (DSS)", "検証用データ（DSS）"},
		{msgPDFChMetadata, "document information", "文書情報"},
		{msgPDFChAnnotation, "annotation", "注釈"},
		{msgPDFChFormField, "form field", "フォームの項目"},
		{msgPDFChPages, "pages added or removed", "ページの追加・削除"},
		{msgPDFChPageContent, "page content replaced", "ページ内容の差し替え"},
		{msgPDFChObject, "changed object", "オブジェクトの変更"},
		{msgPDFChCatalog, "document catalog", "文書カタログ"},
		{msgPDFChUnused, "unused object added", "使われていないオブジェクトの追加"},

		{msgPDFPrByteRange, "the signed byte range is malformed", "署名範囲（ByteRange）の形式が正しくありません"},
		{msgPDFPrNotRevision, "the signature does not cover the whole version of the document it signs", "署名が対象の版全体を覆っていません"},
		{msgPDFPrHole, "the unsigned gap is not exactly the signature value", "署名されていない部分が署名値の位置と一致しません"},
		{msgPDFPrContents, "the signature value is malformed", "署名値の形式が正しくありません"},
		{msgPDFPrSubFilter, "the signature format is not accepted", "この署名形式は受け付けていません"},
		{msgPDFPrObjectStream, "the signature dictionary is hidden in an object stream", "署名辞書がオブジェクトストリームの中にあります"},
		{msgPDFPrDocMDP, "the document was certified with no changes allowed, and changed afterwards", "変更不可として認証された文書が、その後変更されています"},
		{msgPDFPrInline, "the signature dictionary is not a separate object", "署名辞書が独立したオブジェクトになっていません"},
		{msgPDFPrCMS, "the CMS signature is malformed or has more than one signer", "CMS 署名の形式が正しくないか、署名者が複数です"},
		{msgPDFPrDigestAlg, "the hash algorithm is not accepted", "このハッシュアルゴリズムは受け付けていません"},
		{msgPDFPrSigAlg, "the signature algorithm is not accepted", "この署名アルゴリズムは受け付けていません"},
		{msgPDFPrAttributes, "the signed attributes are missing or not PAdES", "署名属性がないか、PAdES の要件を満たしていません"},
		{msgPDFPrDigest, "the document was changed after signing (hash differs)", "署名後に文書が改変されています（ハッシュ不一致）"},
		{msgPDFPrSignature, "the signature value does not verify", "署名値を検証できません"},
		{msgPDFPrAuthKey, "signed with the user-authentication key, not the signing key", "署名用ではなく利用者証明用の鍵で署名されています"},
		{msgPDFPrChain, "the signer's certificate does not chain to a pinned root", "署名者の証明書を固定したルートまで検証できません"},
		{msgPDFPrModified, "the document was changed after signing in a way that can change what is displayed", "署名後に、表示内容が変わるおそれのある変更が加えられています"},
		{msgPDFPrTimestamp, "the timestamp does not verify", "タイムスタンプを検証できません"},
		{msgPDFPrTimestampUntrusted, "the timestamp authority is not trusted (give --tsa-roots FILE)", "タイムスタンプ局を信頼できません（--tsa-roots FILE を指定してください）"},
	}
}
