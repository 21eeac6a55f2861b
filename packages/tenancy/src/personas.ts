import { DEFAULT_PERSONA_ID } from './tenant-manifest.js';

/** A persona as the agent plays it: everything a call needs to sound like the tenant. */
export interface Persona {
  id: string;
  name: string;
  voice: string;
  language: string;
  instructions: string;
  greeting: string;
}

/** A tenant as the registry holds it (the manifest's branding and agent), as far as personas go. */
interface PersonaSource {
  branding: { agentName: string; greeting: string };
  agent: {
    persona: string;
    voice: string;
    language: string;
    personas?: readonly (Omit<Persona, 'language'> & { language?: string | undefined })[];
    defaultPersona?: string | undefined;
  };
}

/** Every persona a tenant offers, the built-in default first (from agentName, persona, voice and greeting). */
export function personasOf(tenant: PersonaSource): Persona[] {
  const builtIn: Persona = {
    id: DEFAULT_PERSONA_ID,
    name: tenant.branding.agentName,
    voice: tenant.agent.voice,
    language: tenant.agent.language,
    instructions: tenant.agent.persona,
    greeting: tenant.branding.greeting,
  };
  return [builtIn, ...(tenant.agent.personas ?? []).map((p) => ({ ...p, language: p.language ?? tenant.agent.language }))];
}

/** The persona a session gets: the one asked for, else the tenant's default; undefined when the tenant offers no such persona. */
export function choosePersona(tenant: PersonaSource, requested: string | undefined): Persona | undefined {
  const id = requested ?? tenant.agent.defaultPersona ?? DEFAULT_PERSONA_ID;
  return personasOf(tenant).find((p) => p.id === id);
}
