import { bambooSecret } from './bamboohr';

/** What both HRIS peers were started with: the BambooHR API key and the Workday webhook secret and integration user. */
export interface HrisPeerCredentials {
  bambooKey: string;
  workdaySecret: string;
  workdayUser: string;
  workdayPassword: string;
}

/** The env that points an engine at a BambooHR and a Workday peer: webhook secrets, API URLs and credentials. */
export function hrisEnv(bamboo: { url: string }, workday: { url: string }, c: HrisPeerCredentials): Record<string, string> {
  return {
    BAMBOOHR_WEBHOOK_SECRET: bambooSecret,
    BAMBOOHR_API_URL: bamboo.url,
    BAMBOOHR_API_KEY: c.bambooKey,
    WORKDAY_WEBHOOK_SECRET: c.workdaySecret,
    WORKDAY_API_URL: workday.url,
    WORKDAY_USERNAME: c.workdayUser,
    WORKDAY_PASSWORD: c.workdayPassword,
  };
}
