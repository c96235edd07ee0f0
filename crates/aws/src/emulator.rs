//! Running against an AWS API emulator (moto server): the HTTP client lakecat uses when an
//! endpoint override is set, and the preparation of a dataset's resources in an emulated
//! account (`lakecat-bench --scenario share-approve`, the end-to-end tests, a laptop demo).
//!
//! moto answers S3 Control with `<CreateAccessPointResponse>` where AWS answers
//! `<CreateAccessPointResult>`; boto3 does not mind, the Rust SDK rejects the document. With
//! an endpoint override, lakecat's HTTP client renames the root element of successful S3
//! Control responses and changes nothing else. Against AWS (no override) it is not used.

use aws_config::SdkConfig;
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, SharedHttpClient, SharedHttpConnector,
    http_client_fn,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use lakecat_core::{Error, Result};

/// The plain-HTTP client for an emulator, with the S3 Control response fix.
pub fn http_client() -> SharedHttpClient {
    let http = aws_smithy_http_client::Builder::new().build_http();
    http_client_fn(move |settings, components| {
        SharedHttpConnector::new(S3ControlRootFix(http.http_connector(settings, components)))
    })
}

#[derive(Debug)]
struct S3ControlRootFix(SharedHttpConnector);

impl HttpConnector for S3ControlRootFix {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let s3control = request.uri().contains("/v20180820/");
        let response = self.0.call(request);
        HttpConnectorFuture::new(async move {
            let mut response = response.await?;
            if !s3control || !response.status().is_success() {
                return Ok(response);
            }
            let body = std::mem::replace(response.body_mut(), SdkBody::taken());
            let bytes = ByteStream::new(body)
                .collect()
                .await
                .map_err(|e| ConnectorError::io(e.into()))?
                .into_bytes();
            let fixed = rename_response_root(&String::from_utf8_lossy(&bytes));
            let length = fixed.len().to_string();
            response.headers_mut().insert("content-length", length);
            *response.body_mut() = SdkBody::from(fixed);
            Ok(response)
        })
    }
}

/// `<?xml ...?><OpResponse ...>...</OpResponse>` to `<OpResult ...>...</OpResult>`.
pub fn rename_response_root(xml: &str) -> String {
    let body = xml.trim_start();
    let start = if body.starts_with("<?xml") {
        body.find("?>").map_or(0, |i| i + 2)
    } else {
        0
    };
    let Some(open) = body[start..].find('<').map(|i| start + i + 1) else {
        return xml.to_owned();
    };
    let name: String = body[open..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let Some(op) = name.strip_suffix("Response") else {
        return xml.to_owned();
    };
    let mut fixed = body.to_owned();
    if let Some(close) = fixed.rfind(&format!("</{name}>")) {
        fixed.replace_range(close..close + name.len() + 3, &format!("</{op}Result>"));
    }
    fixed.replace_range(open..open + name.len(), &format!("{op}Result"));
    fixed
}

fn emu_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::unavailable(format!("emulator {what}: {e}"))
}

/// Credentials acting in `account` of an emulator: AssumeRole of a role there (moto puts the
/// session in the role's account and needs no role to exist).
pub async fn as_account(base: &SdkConfig, account: &str) -> Result<SdkConfig> {
    let out = aws_sdk_sts::Client::new(base)
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{account}:role/lakecat-emulator-admin"
        ))
        .role_session_name("lakecat-emulator")
        .send()
        .await
        .map_err(|e| emu_err("AssumeRole", aws_sdk_sts::error::DisplayErrorContext(e)))?;
    let c = out
        .credentials()
        .ok_or_else(|| emu_err("AssumeRole", "no credentials"))?;
    let creds = Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "lakecat-emulator",
    );
    Ok(base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(creds))
        .build())
}

#[cfg(feature = "shares")]
/// A dataset's resources in an emulated account: its bucket, its KMS key under `kms_alias`,
/// its Glue database and tables. Existing resources are left as they are.
pub struct EmulatedDataset<'a> {
    pub account_id: &'a str,
    pub region: &'a str,
    pub bucket: &'a str,
    pub glue_database: &'a str,
    pub tables: &'a [&'a str],
    pub kms_alias: Option<&'a str>,
}

#[cfg(feature = "shares")]
impl EmulatedDataset<'_> {
    pub async fn create(&self, base: &SdkConfig) -> Result<()> {
        use aws_sdk_glue::types::{DatabaseInput, TableInput};
        let account = as_account(base, self.account_id).await?;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&account)
                .force_path_style(true)
                .region(aws_sdk_s3::config::Region::new(self.region.to_owned()))
                .build(),
        );
        let mut create = s3.create_bucket().bucket(self.bucket);
        if self.region != "us-east-1" {
            create = create.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(self.region.into())
                    .build(),
            );
        }
        if let Err(e) = create.send().await {
            let e = e.into_service_error();
            if !(e.is_bucket_already_owned_by_you() || e.is_bucket_already_exists()) {
                return Err(emu_err("CreateBucket", e));
            }
        }
        if let Some(alias) = self.kms_alias {
            let kms = aws_sdk_kms::Client::new(&account);
            let known = kms.describe_key().key_id(alias).send().await.is_ok();
            if !known {
                let key = kms
                    .create_key()
                    .send()
                    .await
                    .map_err(|e| emu_err("CreateKey", e))?;
                let id = key
                    .key_metadata()
                    .map(|m| m.key_id().to_owned())
                    .ok_or_else(|| emu_err("CreateKey", "no key id"))?;
                kms.create_alias()
                    .alias_name(alias)
                    .target_key_id(id)
                    .send()
                    .await
                    .map_err(|e| emu_err("CreateAlias", e))?;
            }
        }
        let glue = aws_sdk_glue::Client::new(&account);
        let db = DatabaseInput::builder()
            .name(self.glue_database)
            .build()
            .map_err(|e| emu_err("DatabaseInput", e))?;
        if let Err(e) = glue.create_database().database_input(db).send().await {
            let e = e.into_service_error();
            if !e.is_already_exists_exception() {
                return Err(emu_err("CreateDatabase", e));
            }
        }
        for t in self.tables {
            let input = TableInput::builder()
                .name(*t)
                .build()
                .map_err(|e| emu_err("TableInput", e))?;
            if let Err(e) = glue
                .create_table()
                .database_name(self.glue_database)
                .table_input(input)
                .send()
                .await
            {
                let e = e.into_service_error();
                if !e.is_already_exists_exception() {
                    return Err(emu_err("CreateTable", e));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::rename_response_root;

    #[test]
    fn response_roots_are_renamed_and_nothing_else() {
        let moto = r#"<?xml version="1.0" encoding="UTF-8"?><GetAccessPointResponse xmlns="x"><Name>a</Name></GetAccessPointResponse>"#;
        assert_eq!(
            rename_response_root(moto),
            r#"<?xml version="1.0" encoding="UTF-8"?><GetAccessPointResult xmlns="x"><Name>a</Name></GetAccessPointResult>"#
        );
        let aws =
            r#"<?xml version="1.0"?><GetAccessPointResult><Name>a</Name></GetAccessPointResult>"#;
        assert_eq!(rename_response_root(aws), aws);
    }
}
